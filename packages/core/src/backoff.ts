/** Reconnect delay with "full jitter": spreads a crowd of clients over the window instead of a stampede. */
export function backoffWithJitter(attempt: number, baseMs = 500, capMs = 15_000, random = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
