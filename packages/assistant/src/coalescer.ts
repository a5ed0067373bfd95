export interface Delta {
  /** Where `text` starts in the reply (characters): applying a delta twice, or late, is harmless. */
  index: number;
  text: string;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

/**
 * Merges a model's chunks into at most one delta every `intervalMs`, so a fast
 * model cannot flood slow clients. The first chunk after a quiet spell goes
 * out at once (no added latency); later ones wait for the interval.
 */
export class DeltaCoalescer {
  private pending = '';
  private sent = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (delta: Delta) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** Characters emitted so far. */
  get emitted(): number {
    return this.sent;
  }

  push(text: string): void {
    if (!text) return;
    this.pending += text;
    if (this.timer !== null) return;
    const wait = this.lastEmit + this.intervalMs - this.timers.now();
    if (wait <= 0) this.flush();
    else this.timer = this.timers.setTimeout(() => this.flush(), wait);
  }

  /** Emits whatever is pending now (end of stream, cancel). */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pending) return;
    const delta = { index: this.sent, text: this.pending };
    this.sent += this.pending.length;
    this.pending = '';
    this.lastEmit = this.timers.now();
    this.emit(delta);
  }
}
