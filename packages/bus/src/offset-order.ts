import type { BusEvent } from '@hubbub/core';

/** The stream a stored event belongs to and its offset there; null for live-only events (signals, control…). */
function positionOf(event: BusEvent): { stream: string; offset: number } | null {
  if (event.kind === 'change') return { stream: event.event.channelId, offset: event.event.offset };
  if (event.kind === 'user') return { stream: `user:${event.event.userId}`, offset: event.event.offset };
  if (event.kind === 'task') return { stream: 'tasks', offset: event.event.offset };
  return null;
}

/** Held events past which a topic stops waiting: what is missing is lost, not late. */
const MAX_HELD = 1_000;

/**
 * Puts one topic's stored events back in offset order on the receiving side.
 *
 * Instances publish after their own commits, so two instances' events of one
 * stream can cross on the way to Redis (offset 6 published before offset 5).
 * Handed on as they come, every local subscriber of the stream would see a gap
 * at 6 and read the store for it: one database read per subscriber for an event
 * that is a few milliseconds behind on the bus. Instead an event ahead of the
 * next expected offset is held (at most `windowMs`) until the missing ones
 * arrive, then all are handed on in order. Past the window the held events go
 * on anyway (the missing one was lost: the streams' own gap detection reads it
 * from the store, as before). Live-only events and events at or below the
 * expected offset pass at once; the first event of a stream sets its position.
 */
export class OffsetOrder {
  /** Per stream: the highest offset handed on. */
  private readonly last = new Map<string, number>();
  /** Per stream: held events, ascending by offset. */
  private readonly held = new Map<string, { offset: number; event: BusEvent }[]>();
  private heldCount = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deliver: (event: BusEvent) => void,
    private readonly windowMs: number,
  ) {}

  push(event: BusEvent): void {
    const position = positionOf(event);
    if (!position) {
      this.deliver(event);
      return;
    }
    const { stream, offset } = position;
    const last = this.last.get(stream);
    if (last === undefined || offset <= last + 1 || this.windowMs <= 0) {
      this.pass(stream, offset, event);
      this.releaseContiguous(stream);
      return;
    }
    this.hold(stream, offset, event);
    if (this.heldCount > MAX_HELD) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Hands on everything held, in offset order (the window ran out, or the bus lost events anyway). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const held = [...this.held];
    this.held.clear();
    this.heldCount = 0;
    for (const [stream, events] of held) for (const { offset, event } of events) this.pass(stream, offset, event);
  }

  /** After a reconnect: what was missed is gone from the bus (the streams re-read the store), so expect nothing. */
  forget(): void {
    this.flush();
    this.last.clear();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
    this.heldCount = 0;
  }

  private pass(stream: string, offset: number, event: BusEvent): void {
    this.last.set(stream, Math.max(this.last.get(stream) ?? offset, offset));
    this.deliver(event);
  }

  private hold(stream: string, offset: number, event: BusEvent): void {
    let events = this.held.get(stream);
    if (!events) {
      events = [];
      this.held.set(stream, events);
    }
    let at = events.length;
    while (at > 0 && (events[at - 1]?.offset as number) > offset) at--;
    events.splice(at, 0, { offset, event });
    this.heldCount++;
  }

  /** Hands on the held events that now follow on from the last one handed on. */
  private releaseContiguous(stream: string): void {
    const events = this.held.get(stream);
    if (!events) return;
    while (events.length > 0 && (events[0]?.offset as number) <= (this.last.get(stream) as number) + 1) {
      const next = events.shift() as { offset: number; event: BusEvent };
      this.heldCount--;
      this.pass(stream, next.offset, next.event);
    }
    if (events.length > 0) return;
    this.held.delete(stream);
    if (this.heldCount === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
