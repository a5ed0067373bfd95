import { percentile } from '../stats';

/** What one client holds: which messages (by publish index) it received, and how often one came twice. */
export class ClientLedger {
  readonly got: Uint8Array;
  duplicates = 0;
  /** Of the messages acknowledged before the restart, how many this client holds. */
  heldBefore = 0;
  /** When its subscription started again after the restart (absolute ms: performance.timeOrigin + now()). */
  startedAgainAt: number | null = null;
  /** When it was back and held every message acknowledged before the restart. */
  caughtUpAt: number | null = null;
  /** When its first socket after the restart opened. */
  openedAgainAt: number | null = null;

  constructor(maxMessages: number) {
    this.got = new Uint8Array(maxMessages);
  }

  /** Records message `n`; true when it is the first time. */
  receive(n: number): boolean {
    if (n < 0 || n >= this.got.length) return false;
    if (this.got[n]) {
      this.duplicates++;
      return false;
    }
    this.got[n] = 1;
    return true;
  }

  /** How many of `indices` this client lacks. */
  missing(indices: readonly number[]): number {
    let missing = 0;
    for (const n of indices) if (!this.got[n]) missing++;
    return missing;
  }
}

/** Latencies bucketed by whole seconds since an origin (the restarted server accepting). */
export class LatencyWindows {
  readonly windows: number[][] = [];

  add(sinceOriginMs: number, latencyMs: number): void {
    const index = Math.max(0, Math.floor(sinceOriginMs / 1000));
    while (this.windows.length <= index) this.windows.push([]);
    (this.windows[index] as number[]).push(latencyMs);
  }

  /** Each window's p99 (NaN for a window without deliveries), up to `count` windows. */
  p99s(count = this.windows.length): number[] {
    return Array.from({ length: count }, (_, i) => {
      const samples = [...(this.windows[i] ?? [])].sort((a, b) => a - b);
      return percentile(samples, 99);
    });
  }
}

/**
 * The end (in seconds since the origin) of the first window from which every window's p99 stays under
 * `limitMs`; an empty window counts as not under (live traffic is not back). Null when it never does.
 */
export function secondsUntilUnder(p99s: readonly number[], limitMs: number): number | null {
  let from: number | null = null;
  for (let i = 0; i < p99s.length; i++) {
    const p99 = p99s[i] as number;
    if (Number.isFinite(p99) && p99 < limitMs) from ??= i;
    else from = null;
  }
  return from === null ? null : from + 1;
}

/** The publish index and send time in a stored message's content (`storm n=<index> ts=<ms>`), or null. */
export function publishIndexIn(content: string): { n: number; ts: number } | null {
  const match = /^storm n=(\d+) ts=([\d.]+)/.exec(content);
  return match ? { n: Number(match[1]), ts: Number(match[2]) } : null;
}
