/**
 * Token bucket: `capacity` calls at once, refilled at `perSecond`.
 * Pure: the caller passes the time, so tests need no clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * At most one pass per key per `intervalMs` (typing notices). Keys expire on
 * their own so the map cannot grow without bound.
 */
export class KeyedThrottle {
  private readonly lastPass = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  pass(key: string, now: number): boolean {
    const last = this.lastPass.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (this.lastPass.size > 10_000) this.sweep(now);
    this.lastPass.set(key, now);
    return true;
  }

  private sweep(now: number): void {
    for (const [key, at] of this.lastPass) if (now - at >= this.intervalMs) this.lastPass.delete(key);
  }
}

/** "12 s", "3 min", "5 h": how long to wait, rounded up, in the unit a person reads at a glance. */
export function waitWords(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 90) return `${s} s`;
  const min = Math.ceil(s / 60);
  if (min < 90) return `${min} min`;
  return `${Math.ceil(min / 60)} h`;
}
