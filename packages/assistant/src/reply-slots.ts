/** What a request for a model slot gets: a slot now, a place in the queue, or nothing (the queue is full). */
export type Admission = 'start' | 'wait' | 'full';

/**
 * The cap on replies generating at once, with a bounded first-in-first-out
 * queue of the ones waiting for a slot. Bookkeeping only (synchronous, no
 * timers, no I/O): the caller decides what starting or moving up means.
 */
export class ReplySlots<T> {
  private readonly running = new Set<T>();
  private readonly queue: T[] = [];

  constructor(
    /** Replies generating at once (at least 1). */
    private readonly maxRunning: number,
    /** Replies that may wait for a slot; beyond this a request is refused. */
    private readonly maxWaiting: number,
  ) {
    if (maxRunning < 1) throw new RangeError('maxRunning must be at least 1');
  }

  get runningCount(): number {
    return this.running.size;
  }

  get waitingCount(): number {
    return this.queue.length;
  }

  /** Takes a slot if one is free, else a place at the end of the queue, else refuses. */
  admit(item: T): Admission {
    if (this.running.has(item) || this.queue.includes(item)) throw new Error('already admitted');
    if (this.running.size < this.maxRunning && this.queue.length === 0) {
      this.running.add(item);
      return 'start';
    }
    if (this.queue.length >= this.maxWaiting) return 'full';
    this.queue.push(item);
    return 'wait';
  }

  /** 1 for the next in line, null when not waiting. */
  position(item: T): number | null {
    const at = this.queue.indexOf(item);
    return at === -1 ? null : at + 1;
  }

  isRunning(item: T): boolean {
    return this.running.has(item);
  }

  /**
   * `item` is done (or gave up waiting): its slot or place is freed. Returns
   * the items that now start, in queue order (they hold a slot from now on).
   */
  release(item: T): T[] {
    if (!this.running.delete(item)) {
      const at = this.queue.indexOf(item);
      if (at !== -1) this.queue.splice(at, 1);
    }
    const started: T[] = [];
    while (this.running.size < this.maxRunning && this.queue.length > 0) {
      const next = this.queue.shift() as T;
      this.running.add(next);
      started.push(next);
    }
    return started;
  }

  /** Empties the queue (shutdown): returns what was waiting, in order; nothing starts. */
  drainQueue(): T[] {
    return this.queue.splice(0);
  }
}
