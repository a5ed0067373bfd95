import type { TRPCClient } from '@trpc/client';
import { type AnyTRPCRouter, initTRPC, TRPCError, tracked } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type ApplyWSSHandler, adapters, connect, eventually, serve } from './harness';
import { createFeed, createLog, errorSeen, recordSubscription, type SubscriptionHandlers } from './recorders';

type Message = { id: string; text: string };

/** Subscribes with the unmodified client until the subscription ends (completes or fails): what it saw. */
async function subscribeUntilEnd<TRouter extends AnyTRPCRouter>(
  apply: ApplyWSSHandler,
  router: TRouter,
  subscribe: (client: TRPCClient<TRouter>, handlers: SubscriptionHandlers) => unknown,
) {
  await using server = await serve(apply, { router } as Parameters<typeof serve<TRouter>>[1]);
  await using c = connect<TRouter>(server.url);
  const rec = recordSubscription();
  subscribe(c.client, rec.handlers);
  await eventually(() => expect(rec.kinds().some((kind) => kind === 'complete' || kind === 'error')).toBe(true));
  return rec;
}

describe.each(adapters)('subscriptions: %s', (_name, apply) => {
  describe('delivery', () => {
    it('an async generator: started, then every yielded value in order', async () => {
      const feed = createFeed<Message>();
      const t = initTRPC.create();
      const router = t.router({
        messages: t.procedure.subscription(async function* (opts) {
          yield* feed.values(opts.signal);
        }),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      c.client.messages.subscribe(undefined, rec.handlers);

      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push({ id: 'm1', text: 'hi' });
      feed.push({ id: 'm2', text: 'there' });

      await eventually(() => expect(rec.data()).toHaveLength(2));
      expect(rec.kinds()).toEqual(['started', 'data', 'data']);
      expect(rec.data()).toEqual([
        { id: 'm1', text: 'hi' },
        { id: 'm2', text: 'there' },
      ]);
    });

    it('an observable: emitted values in order, and unsubscribing runs its teardown', async () => {
      const feed = createFeed<number>();
      const tornDown = vi.fn();
      const t = initTRPC.create();
      const router = t.router({
        numbers: t.procedure.subscription(() =>
          observable<number>((emit) => {
            const abort = new AbortController();
            void (async () => {
              for await (const n of feed.values(abort.signal)) emit.next(n);
            })().catch(() => undefined);
            return () => {
              abort.abort();
              tornDown();
            };
          }),
        ),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      const subscription = c.client.numbers.subscribe(undefined, rec.handlers);

      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push(1);
      feed.push(2);
      await eventually(() => expect(rec.data()).toEqual([1, 2]));
      expect(rec.started()).toBe(1);

      subscription.unsubscribe();
      await eventually(() => expect(tornDown).toHaveBeenCalledTimes(1));
      expect(feed.subscribers()).toBe(0);
    });

    it('untracked values arrive as the plain value, falsy ones included', async () => {
      const t = initTRPC.create();
      const values = ['text', 0, false, null, undefined, '', { nested: [1, { deep: true }] }, [1, 2]];
      const router = t.router({
        values: t.procedure.subscription(async function* () {
          yield* values;
        }),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.values.subscribe(undefined, handlers),
      );
      expect(rec.data()).toEqual(values);
    });

    it('tracked values arrive as { id, data }', async () => {
      const t = initTRPC.create();
      const router = t.router({
        messages: t.procedure.subscription(async function* () {
          yield tracked('m1', { text: 'hi' });
          yield tracked('m2', 'plain string');
        }),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.messages.subscribe(undefined, handlers),
      );
      expect(rec.data()).toEqual([
        { id: 'm1', data: { text: 'hi' } },
        { id: 'm2', data: 'plain string' },
      ]);
    });

    it('two subscriptions on one connection are independent: stopping one leaves the other running', async () => {
      const feed = createFeed<{ room: string; text: string }>();
      const stopped = vi.fn();
      const t = initTRPC.create();
      const router = t.router({
        room: t.procedure.input(z.string()).subscription(async function* (opts) {
          try {
            for await (const message of feed.values(opts.signal)) if (message.room === opts.input) yield message.text;
          } finally {
            stopped(opts.input);
          }
        }),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const roomA = recordSubscription();
      const roomB = recordSubscription();
      const subscriptionA = c.client.room.subscribe('a', roomA.handlers);
      c.client.room.subscribe('b', roomB.handlers);

      await eventually(() => expect(feed.subscribers()).toBe(2));
      feed.push({ room: 'a', text: 'a1' });
      feed.push({ room: 'b', text: 'b1' });
      await eventually(() => {
        expect(roomA.data()).toEqual(['a1']);
        expect(roomB.data()).toEqual(['b1']);
      });

      subscriptionA.unsubscribe();
      await eventually(() => expect(stopped).toHaveBeenCalledWith('a'));
      feed.push({ room: 'b', text: 'b2' });
      await eventually(() => expect(roomB.data()).toEqual(['b1', 'b2']));
      expect(stopped).toHaveBeenCalledTimes(1);
      expect(server.wss.clients.size).toBe(1);
    });
  });

  describe('ending', () => {
    it('a generator that throws after earlier values: the values, then onError, and no completion', async () => {
      const t = initTRPC.create();
      const router = t.router({
        failing: t.procedure.subscription(async function* () {
          yield 1;
          yield 2;
          throw new TRPCError({ code: 'CONFLICT', message: 'room closed' });
        }),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.failing.subscribe(undefined, handlers),
      );
      expect(rec.kinds()).toEqual(['started', 'data', 'data', 'error']);
      expect(rec.data()).toEqual([1, 2]);
      expect(errorSeen(rec.firstError())).toEqual({
        message: 'room closed',
        code: -32009,
        data: { code: 'CONFLICT', httpStatus: 409, path: 'failing' },
      });
    });

    it('an observable that errors after a value: the value, then onError', async () => {
      const t = initTRPC.create();
      const router = t.router({
        failing: t.procedure.subscription(() =>
          observable<number>((emit) => {
            emit.next(1);
            emit.error(new Error('disk on fire'));
          }),
        ),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.failing.subscribe(undefined, handlers),
      );
      expect(rec.kinds()).toEqual(['started', 'data', 'error']);
      expect(errorSeen(rec.firstError())).toEqual({
        message: 'disk on fire',
        code: -32603,
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'failing' },
      });
    });

    it('a generator that returns: stopped, then onComplete', async () => {
      const t = initTRPC.create();
      const router = t.router({
        once: t.procedure.subscription(async function* () {
          yield 'only';
        }),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.once.subscribe(undefined, handlers),
      );
      expect(rec.kinds()).toEqual(['started', 'data', 'stopped', 'complete']);
      expect(rec.data()).toEqual(['only']);
    });

    it('an observable that completes: stopped, then onComplete', async () => {
      const t = initTRPC.create();
      const router = t.router({
        once: t.procedure.subscription(() =>
          observable<string>((emit) => {
            emit.next('only');
            emit.complete();
          }),
        ),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.once.subscribe(undefined, handlers),
      );
      expect(rec.kinds()).toEqual(['started', 'data', 'stopped', 'complete']);
    });

    it("unsubscribe stops the server's generator: its finally runs with the signal aborted", async () => {
      const feed = createFeed<number>();
      const finallyRan = vi.fn();
      const t = initTRPC.create();
      const router = t.router({
        numbers: t.procedure.subscription(async function* (opts) {
          try {
            yield* feed.values(opts.signal);
          } finally {
            finallyRan({ aborted: opts.signal?.aborted });
          }
        }),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      const subscription = c.client.numbers.subscribe(undefined, rec.handlers);
      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push(1);
      await eventually(() => expect(rec.data()).toEqual([1]));

      subscription.unsubscribe();

      await eventually(() => expect(finallyRan).toHaveBeenCalledTimes(1));
      expect(finallyRan).toHaveBeenCalledWith({ aborted: true });
      expect(feed.subscribers()).toBe(0);
      expect(server.wss.clients.size).toBe(1);
    });

    it("closing the client ends the server's generator and completes the subscription", async () => {
      const feed = createFeed<number>();
      const finallyRan = vi.fn();
      const t = initTRPC.create();
      const router = t.router({
        numbers: t.procedure.subscription(async function* (opts) {
          try {
            yield* feed.values(opts.signal);
          } finally {
            finallyRan();
          }
        }),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      c.client.numbers.subscribe(undefined, rec.handlers);
      await eventually(() => {
        expect(feed.subscribers()).toBe(1);
        expect(rec.started()).toBe(1);
      });

      await c.wsClient.close();

      await eventually(() => expect(finallyRan).toHaveBeenCalledTimes(1));
      expect(rec.kinds()).toEqual(['started', 'complete']);
    });

    it('a subscription procedure that returns neither an observable nor an async iterable fails', async () => {
      const t = initTRPC.create();
      const router = t.router({
        // A resolver bug the types would catch: the adapter must still answer it.
        broken: t.procedure.subscription((() => 42) as never),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.broken.subscribe(undefined, handlers),
      );
      expect(rec.kinds()).toEqual(['error']);
      expect(errorSeen(rec.firstError())).toEqual({
        message: 'Subscription broken did not return an observable or a AsyncGenerator',
        code: -32603,
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'broken' },
      });
    });

    it('an invalid subscription input fails with BAD_REQUEST before starting', async () => {
      const t = initTRPC.create();
      const router = t.router({
        room: t.procedure.input(z.object({ room: z.string() })).subscription(async function* () {
          yield 'never';
        }),
      });
      const rec = await subscribeUntilEnd(apply, router, (client, handlers) =>
        client.room.subscribe({ room: 5 } as never, handlers),
      );
      expect(rec.kinds()).toEqual(['error']);
      expect(rec.firstError().data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400, path: 'room' });
      expect(JSON.parse(rec.firstError().message)).toMatchObject([{ path: ['room'], code: 'invalid_type' }]);
    });
  });

  describe('resuming with lastEventId', () => {
    /** A router whose `resumable` subscription records each input it is called with and follows a log of tracked ids. */
    function resumableRouter<TInput extends z.ZodType>(input: TInput) {
      const log = createLog();
      const inputs: unknown[] = [];
      const t = initTRPC.create();
      const router = t.router({
        resumable: t.procedure.input(input).subscription(async function* (opts) {
          inputs.push(opts.input);
          const { lastEventId } = (opts.input ?? {}) as { lastEventId?: string | null };
          for await (const id of log.after(lastEventId, opts.signal)) yield tracked(id, `event ${id}`);
        }),
      });
      return { router, log, inputs };
    }

    /** Subscribes, takes event 1, drops the connection, waits for the resubscription, takes event 2. */
    async function resumeOnce(setup: ReturnType<typeof resumableRouter>, input: unknown) {
      const { router, log, inputs } = setup;
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      c.client.resumable.subscribe(input as never, rec.handlers);
      await eventually(() => expect(log.subscribers()).toBe(1));
      log.append('1');
      await eventually(() => expect(rec.data()).toHaveLength(1));

      server.dropConnections();

      await eventually(() => expect(inputs).toHaveLength(2));
      log.append('2');
      await eventually(() => expect(rec.data()).toContainEqual({ id: '2', data: 'event 2' }));
      return { rec, inputs, opened: c.opened.mock.calls.length };
    }

    it('an object input is called again with { ...input, lastEventId }', async () => {
      const setup = resumableRouter(z.object({ room: z.string(), lastEventId: z.string().nullish() }));
      const { rec, inputs, opened } = await resumeOnce(setup, { room: 'a' });

      expect(inputs).toEqual([{ room: 'a' }, { room: 'a', lastEventId: '1' }]);
      expect(rec.data()).toEqual([
        { id: '1', data: 'event 1' },
        { id: '2', data: 'event 2' },
      ]);
      expect(rec.errors()).toEqual([]);
      expect(opened).toBe(2);
    });

    it('no input: called again with { lastEventId }', async () => {
      const setup = resumableRouter(z.object({ lastEventId: z.string().nullish() }).nullish());
      const { rec, inputs } = await resumeOnce(setup, undefined);

      expect(inputs).toEqual([undefined, { lastEventId: '1' }]);
      expect(rec.errors()).toEqual([]);
    });

    it('a z.string() input resumes with the input unchanged, not an error', async () => {
      const setup = resumableRouter(z.string());
      const { rec, inputs } = await resumeOnce(setup, 'room-a');

      expect(inputs).toEqual(['room-a', 'room-a']);
      expect(rec.errors()).toEqual([]);
      expect(rec.started()).toBe(2);
      // A string cannot carry lastEventId, so the generator starts over: event 1 comes again.
      expect(rec.data()).toEqual([
        { id: '1', data: 'event 1' },
        { id: '1', data: 'event 1' },
        { id: '2', data: 'event 2' },
      ]);
    });

    it('an array input resumes with the array unchanged', async () => {
      const setup = resumableRouter(z.array(z.string()));
      const { rec, inputs } = await resumeOnce(setup, ['a', 'b']);

      expect(inputs).toEqual([
        ['a', 'b'],
        ['a', 'b'],
      ]);
      expect(rec.errors()).toEqual([]);
    });

    it('untracked values leave nothing to resume from: called again with the original input', async () => {
      const feed = createFeed<string>();
      const inputs: unknown[] = [];
      const t = initTRPC.create();
      const router = t.router({
        plain: t.procedure.input(z.object({ room: z.string() }).passthrough()).subscription(async function* (opts) {
          inputs.push(opts.input);
          yield* feed.values(opts.signal);
        }),
      });
      await using server = await serve(apply, { router });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      c.client.plain.subscribe({ room: 'a' }, rec.handlers);
      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push('x');
      await eventually(() => expect(rec.data()).toEqual(['x']));

      server.dropConnections();

      await eventually(() => expect(inputs).toHaveLength(2));
      expect(inputs).toEqual([{ room: 'a' }, { room: 'a' }]);
    });
  });
});
