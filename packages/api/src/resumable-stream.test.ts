import { AppError, type BusEvent, CLOSE_CODES } from '@hubbub/core';
import { describe, expect, it, vi } from 'vitest';
import type { Connection, Context } from './context';
import { ResumableStream, type StreamSource } from './resumable-stream';

/**
 * The pull view (what Server-Sent Events and createCaller consume), against an
 * in-memory source and hub: bounded in events and bytes, paced on replay, and
 * ended by its connection when that says so.
 */

type Change = { type: 'note'; n: number; text: string };
const EPOCH = 'e';

function harness(opts: { stored?: number; maxBufferedBytes?: number; connection?: Partial<Connection> } = {}) {
  const stored: { offset: number; change: Change }[] = Array.from({ length: opts.stored ?? 0 }, (_, i) => ({
    offset: i + 1,
    change: { type: 'note', n: i + 1, text: 'x' },
  }));
  let deliver: ((event: BusEvent) => void) | null = null;
  const connection = {
    close: vi.fn<(code: number, reason: string) => void>(),
    bufferedAmount: () => 0,
    ...opts.connection,
  } satisfies Connection;
  const ctx = {
    deps: {
      hub: {
        attach: async (_topic: string, _user: string | null, handler: (event: BusEvent) => void) => {
          deliver = handler;
          return () => {
            deliver = null;
          };
        },
      },
      limits: { maxBufferedBytes: opts.maxBufferedBytes ?? 4 * 1024 * 1024 },
    },
    connection,
  } as unknown as Context;
  const source: StreamSource<Change, never> = {
    topic: 't',
    userId: null,
    epoch: EPOCH,
    info: async () => ({ epoch: EPOCH, head: stored.length, oldestRetained: 1 }),
    eventsAfter: async (after, limit) => stored.filter((e) => e.offset > after).slice(0, limit),
    classify: (event) => (event.kind === 'change' ? { stored: event.event as never } : null),
  };
  /** Publishes a stored change live (as the hub would, once stored). */
  const publish = (text: string) => {
    const offset = stored.length + 1;
    const change: Change = { type: 'note', n: offset, text };
    stored.push({ offset, change });
    deliver?.({ kind: 'change', event: { offset, change } as never });
  };
  return { ctx, source, connection, publish, attached: () => deliver !== null };
}

const idOf = (envelope: unknown) => (envelope as [string, Change])[0];
const dataOf = (envelope: unknown) => (envelope as [string, Change])[1];

describe('ResumableStream, pulled', () => {
  it('streams a replay ten times longer than its queue to a consumer that takes its time, in order, never cut', async () => {
    const { ctx, source, connection } = harness({ stored: 40_960 });
    const stream = new ResumableStream(ctx, source, `${EPOCH}:0`);
    let n = 0;
    for await (const envelope of stream) {
      n++;
      expect(dataOf(envelope).n).toBe(n);
      // A consumer slower than the store: it yields to the event loop now and then, as a socket write would.
      if (n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (n === 40_960) break;
    }
    expect(n).toBe(40_960);
    expect(connection.close).not.toHaveBeenCalled();
  }, 60_000);

  it('cuts a replay whose consumer takes nothing for 30 s (it resumes later), not sooner', async () => {
    vi.useFakeTimers();
    try {
      const { ctx, source, connection } = harness({ stored: 5_000 });
      const iterator = new ResumableStream(ctx, source, `${EPOCH}:0`)[Symbol.asyncIterator]();
      expect(dataOf((await iterator.next()).value).n).toBe(1);
      await vi.advanceTimersByTimeAsync(29_000);
      expect(connection.close).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2_000);
      let rest = 0;
      while (!(await iterator.next()).done) rest++;
      expect(rest).toBe(0);
      expect(connection.close).toHaveBeenCalledWith(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
    } finally {
      vi.useRealTimers();
    }
  });

  it('cuts a subscriber whose live backlog passes maxBufferedBytes: the connection closes 4008, the iterator ends', async () => {
    const { ctx, source, connection, publish, attached } = harness({ maxBufferedBytes: 64 * 1024 });
    const iterator = new ResumableStream(ctx, source, null)[Symbol.asyncIterator]();
    const first = iterator.next();
    await vi.waitFor(() => expect(attached()).toBe(true));
    publish('hello');
    expect(dataOf((await first).value).text).toBe('hello');
    // Nobody reads: about 100 KiB of events pile up in the queue.
    for (let i = 0; i < 100; i++) publish('y'.repeat(1024));
    expect(attached()).toBe(false);
    const rest: unknown[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      rest.push(next.value);
    }
    // What was queued before the cut is dropped: the client resumes from its last id instead.
    expect(rest).toEqual([]);
    expect(connection.close).toHaveBeenCalledWith(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
  });

  it('ends with the error its connection gives (credentials ended), dropping what was queued', async () => {
    let end: ((error: Error) => void) | null = null;
    const released = vi.fn();
    const { ctx, source, publish, attached } = harness({
      connection: {
        openStream: (_owner, ending) => {
          end = ending;
          return released;
        },
      },
    });
    const iterator = new ResumableStream(ctx, source, null)[Symbol.asyncIterator]();
    const first = iterator.next();
    await vi.waitFor(() => expect(attached()).toBe(true));
    publish('one');
    await first;
    publish('queued, never sent');
    (end as ((error: Error) => void) | null)?.(new AppError('UNAUTHORIZED', 'you logged out'));
    await expect(iterator.next()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'you logged out' });
    expect(attached()).toBe(false);
    expect(released).toHaveBeenCalledOnce();
  });

  it('throws its connection’s refusal before it starts (too many streams)', async () => {
    const { ctx, source, attached } = harness({
      connection: {
        openStream: () => {
          throw new AppError('TOO_MANY_REQUESTS', 'at most 100 live streams');
        },
      },
    });
    const iterator = new ResumableStream(ctx, source, null)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(attached()).toBe(false);
  });

  it('resumes after the last id it is given: exactly the events after it', async () => {
    const { ctx, source } = harness({ stored: 5 });
    const ids: string[] = [];
    for await (const envelope of new ResumableStream(ctx, source, `${EPOCH}:2`)) {
      ids.push(idOf(envelope));
      if (ids.length === 3) break;
    }
    expect(ids).toEqual(['e:3', 'e:4', 'e:5']);
  });
});
