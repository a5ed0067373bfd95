import { AppError } from '@hubbub/core';

/**
 * Runs at most `concurrency` jobs at once and takes turns between keys (client
 * addresses): a client that queues a hundred password checks waits behind its
 * own, while everyone else's next one goes first. Each key may have
 * `perKey` jobs waiting; beyond that, and beyond `maxWaiting` in all, a job
 * is refused at once (TOO_MANY_REQUESTS) instead of growing the queue.
 */
export class FairQueue {
  private running = 0;
  private waitingCount = 0;
  /** Keys in turn order (a Map keeps insertion order); each with its waiting jobs. */
  private readonly waiting = new Map<string, (() => void)[]>();
  /** The key whose job started last: it goes to the back of the turn order. */
  private lastServed: string | null = null;

  constructor(
    private readonly options: { concurrency: number; perKey: number; maxWaiting: number; busyMessage: string },
  ) {}

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waitingCount };
  }

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) await this.wait(key);
    else {
      this.running++;
      this.lastServed = key;
    }
    try {
      return await job();
    } finally {
      this.next();
    }
  }

  private wait(key: string): Promise<void> {
    const queue = this.waiting.get(key) ?? [];
    if (queue.length >= this.options.perKey || this.waitingCount >= this.options.maxWaiting) {
      return Promise.reject(new AppError('TOO_MANY_REQUESTS', this.options.busyMessage, { retryAfterMs: 1000 }));
    }
    this.waitingCount++;
    if (queue.length === 0) this.waiting.set(key, queue);
    return new Promise((resolve) => queue.push(resolve));
  }

  /** A slot is free: it goes to the first job of the key whose turn it is (its slot is handed over, not released). */
  private next(): void {
    if (this.waiting.size === 0) {
      this.running--;
      return;
    }
    const served = this.lastServed !== null ? this.waiting.get(this.lastServed) : undefined;
    if (served && this.waiting.size > 1) {
      // The key just served waits for everyone else's turn first.
      this.waiting.delete(this.lastServed as string);
      this.waiting.set(this.lastServed as string, served);
    }
    const [key, queue] = this.waiting.entries().next().value as [string, (() => void)[]];
    this.waiting.delete(key);
    this.lastServed = key;
    const start = queue.shift() as () => void;
    // Its other jobs wait for its next turn, after every other key's.
    if (queue.length > 0) this.waiting.set(key, queue);
    this.waitingCount--;
    start();
  }
}
