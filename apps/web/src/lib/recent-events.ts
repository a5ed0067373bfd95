import { parseEventId } from '@hubbub/core';

interface Held<T> {
  epoch: string;
  offset: number;
  event: T;
}

/**
 * The newest stored events of a stream, with their positions, so a read that
 * was in flight while they arrived can be caught up: what came after the
 * read's position is applied on top of it.
 */
export class RecentEvents<T> {
  private held: Held<T>[] = [];

  constructor(private readonly capacity: number) {}

  /** Keeps an event under its stream id (an id that is no position is ignored), dropping the oldest past capacity. */
  remember(eventId: string, event: T): void {
    const at = parseEventId(eventId);
    if (!at) return;
    this.held.push({ epoch: at.epoch, offset: at.offset, event });
    if (this.held.length > this.capacity) this.held.splice(0, this.held.length - this.capacity);
  }

  /** The events after a read's position, oldest first; none when it is no position (another epoch's offsets do not count). */
  after(eventId: string): T[] {
    const at = parseEventId(eventId);
    if (!at) return [];
    return this.held.filter((h) => h.epoch === at.epoch && h.offset > at.offset).map((h) => h.event);
  }

  /** Every event held, oldest first. */
  all(): T[] {
    return this.held.map((h) => h.event);
  }

  clear(): void {
    this.held = [];
  }
}
