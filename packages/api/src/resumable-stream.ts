import type { HubSubscription } from '@hubbub/bus';
import { type BusEvent, CLOSE_CODES, formatEventId, planResume, type StreamInfo } from '@hubbub/core';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { Context } from './context';

const BACKFILL_PAGE = 500;

export interface Stored<C> {
  offset: number;
  change: C;
}

/** How one kind of stream (a channel, the tasks) reads its store and its bus events. */
export interface StreamSource<C, S> {
  epoch: string;
  info(): Promise<StreamInfo>;
  eventsAfter(after: number, limit: number): Promise<Stored<C>[]>;
  /**
   * A bus event as this stream sees it: a stored change, a live signal, a
   * stored change of no concern to this subscriber (`skip`: its offset still
   * counts as seen), or nothing of this stream's.
   */
  classify(event: BusEvent): { stored: Stored<C> } | { signal: S } | { skip: number } | null;
  /** Signals to send once the subscriber is live and has everything up to `delivered` (e.g. who is online). */
  greeting?(delivered: number): S[];
  /** True when this change ends the subscription (e.g. the caller left a private channel). */
  endsWith?(change: C): boolean;
}

type Yielded<C, S> = TrackedEnvelope<C | S | { type: 'reset' }>;

/**
 * A resumable stream: the subscription is registered before the store is read,
 * so nothing falls between the two; stored events at or below the last offset
 * sent are dropped, and a gap in what the bus delivers is filled from the store.
 * Every yield is tracked: stored events with their own id, signals with the id
 * of the last stored event (so they never move a resume position).
 */
export async function* resumableStream<C, S>(
  ctx: Context,
  sub: HubSubscription,
  source: StreamSource<C, S>,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<Yielded<C, S>> {
  const stop = () => sub.close();
  signal?.addEventListener('abort', stop, { once: true });
  const id = (offset: number) => formatEventId(source.epoch, offset);

  async function* replay(from: number, to = Number.POSITIVE_INFINITY) {
    let after = from;
    for (;;) {
      const page = await source.eventsAfter(after, BACKFILL_PAGE);
      for (const event of page) {
        if (event.offset > to) return;
        after = event.offset;
        yield event;
      }
      if (page.length < BACKFILL_PAGE) return;
    }
  }

  try {
    const info = await source.info();
    const plan = planResume(lastEventId, info);
    let delivered = info.head;
    if (plan.kind === 'reset') {
      yield tracked(id(info.head), { type: 'reset' as const });
    } else if (plan.kind === 'replay') {
      delivered = plan.after;
      for await (const event of replay(plan.after)) {
        delivered = event.offset;
        yield tracked(id(event.offset), event.change);
      }
    }
    for (const greeting of source.greeting?.(delivered) ?? []) yield tracked(id(delivered), greeting);

    let slow = false;
    for (;;) {
      const next = await sub.queue.next();
      if (!next) break;
      // The socket is not draining: stop feeding it (memory stays bounded); the client resumes later.
      if (ctx.connection && ctx.connection.bufferedAmount() > ctx.limits.maxBufferedBytes) {
        slow = true;
        break;
      }
      const seen = source.classify(next);
      if (!seen) continue;
      if ('signal' in seen) {
        yield tracked(id(delivered), seen.signal);
        continue;
      }
      if ('skip' in seen) {
        delivered = Math.max(delivered, seen.skip);
        continue;
      }
      const { offset, change } = seen.stored;
      if (offset <= delivered) continue;
      if (offset > delivered + 1) {
        // A gap: the bus skipped or reordered. The store has everything up to `offset`.
        for await (const missed of replay(delivered, offset - 1)) {
          delivered = missed.offset;
          yield tracked(id(missed.offset), missed.change);
        }
      }
      delivered = offset;
      yield tracked(id(offset), change);
      if (source.endsWith?.(change)) break;
    }
    if (slow || sub.queue.ended === 'overflow') {
      ctx.connection?.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
    }
  } finally {
    signal?.removeEventListener('abort', stop);
    sub.close();
  }
}
