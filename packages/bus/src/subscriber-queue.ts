export type EndReason = 'closed' | 'overflow';

/**
 * A bounded FIFO between the hub (producer) and one subscriber (consumer).
 * Overflowing ends the queue instead of growing it: the subscriber reconnects
 * and resumes from the store, so a stalled client costs at most `capacity` items.
 */
export class SubscriberQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiter: ((value: T | null) => void) | null = null;
  private endReason: EndReason | null = null;

  constructor(private readonly capacity: number) {}

  get ended(): EndReason | null {
    return this.endReason;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    if (this.endReason) return;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(item);
      return;
    }
    if (this.size >= this.capacity) {
      this.end('overflow');
      return;
    }
    this.items.push(item);
  }

  /** The next item, or null once the queue has ended and is drained (overflow drops the rest). */
  next(): Promise<T | null> {
    if (this.endReason === 'overflow') return Promise.resolve(null);
    if (this.size > 0) {
      const item = this.items[this.head] as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve(item);
    }
    if (this.endReason) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  end(reason: EndReason = 'closed'): void {
    if (this.endReason) return;
    this.endReason = reason;
    if (reason === 'overflow') {
      this.items = [];
      this.head = 0;
    }
    const wake = this.waiter;
    this.waiter = null;
    wake?.(null);
  }
}
