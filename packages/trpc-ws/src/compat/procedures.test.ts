import type { IncomingMessage } from 'node:http';
import { initTRPC, TRPCError, tracked } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import superjson from 'superjson';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { adapters, connect, eventually, serve } from './harness';
import { clientError, errorSeen, recordSubscription } from './recorders';

/** A domain error with a machine-readable reason, the way Hubbub's errorFormatter expects them. */
class AppError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

describe.each(adapters)('queries and mutations: %s', (_name, apply) => {
  it('answers queries and mutations with their input and the context', async () => {
    const t = initTRPC.context<{ user: string }>().create();
    const router = t.router({
      greet: t.procedure.input(z.string().nullish()).query(({ input, ctx }) => `hello ${input ?? ctx.user}`),
      forget: t.procedure.mutation(() => undefined),
      rename: t.procedure
        .input(z.object({ id: z.string(), title: z.string() }))
        .mutation(({ input }) => ({ ...input, renamed: true })),
    });
    await using server = await serve(apply, { router, createContext: () => ({ user: 'ada' }) });
    await using c = connect<typeof router>(server.url);

    expect(await c.client.greet.query()).toBe('hello ada');
    expect(await c.client.greet.query(null)).toBe('hello ada');
    expect(await c.client.greet.query('bob')).toBe('hello bob');
    expect(await c.client.rename.mutate({ id: 't1', title: 'New' })).toEqual({ id: 't1', title: 'New', renamed: true });
    expect(await c.client.forget.mutate()).toBeUndefined();
  });

  it('large and non-ASCII payloads arrive intact, in answers and in subscription data', async () => {
    // Past 64 KiB (the 64-bit frame length) with multi-byte characters on both sides of it.
    const big = `${'é'.repeat(40_000)}🎉${'x'.repeat(70_000)}ß`;
    const t = initTRPC.create();
    const router = t.router({
      echo: t.procedure.input(z.string()).mutation(({ input }) => input),
      stream: t.procedure.subscription(async function* () {
        yield big;
        yield tracked('big', { text: big });
      }),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url);
    const rec = recordSubscription();

    expect(await c.client.echo.mutate(big)).toBe(big);
    c.client.stream.subscribe(undefined, rec.handlers);
    await eventually(() => expect(rec.kinds()).toContain('complete'));
    expect(rec.data()).toEqual([big, { id: 'big', data: { text: big } }]);
  });

  it('calls made together go out as one frame, and each gets its own answer', async () => {
    const t = initTRPC.create();
    const router = t.router({
      double: t.procedure.input(z.number()).query(({ input }) => input * 2),
      echo: t.procedure.input(z.string()).mutation(({ input }) => input),
    });
    await using server = await serve(apply, { router });
    const frames: string[] = [];
    server.wss.on('connection', (ws) => ws.on('message', (data) => frames.push(String(data))));
    await using c = connect<typeof router>(server.url);

    const results = await Promise.all([
      c.client.double.query(1),
      c.client.echo.mutate('two'),
      c.client.double.query(3),
    ]);

    expect(results).toEqual([2, 'two', 6]);
    const batch = frames.map((f) => JSON.parse(f)).find(Array.isArray);
    expect(batch).toHaveLength(3);
  });

  it('an unknown procedure is NOT_FOUND', async () => {
    const t = initTRPC.create();
    const router = t.router({ known: t.procedure.query(() => 'yes') });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url);

    const error = await clientError((c.client as unknown as { nope: { query(): Promise<unknown> } }).nope.query());

    expect(errorSeen(error)).toEqual({
      message: 'No "query"-procedure on path "nope"',
      code: -32004,
      data: { code: 'NOT_FOUND', httpStatus: 404, path: 'nope' },
    });
  });

  it('a zod input error is BAD_REQUEST with the issues, and the formatter sees the ZodError', async () => {
    const t = initTRPC.create({
      errorFormatter: ({ shape, error }) => ({
        ...shape,
        data: {
          ...shape.data,
          fieldErrors: error.cause instanceof z.ZodError ? z.flattenError(error.cause).fieldErrors : null,
        },
      }),
    });
    const router = t.router({
      create: t.procedure.input(z.object({ name: z.string().min(3) })).mutation(({ input }) => input.name),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url);

    const error = await clientError(c.client.create.mutate({ name: 'x' }));

    const seen = errorSeen(error);
    expect(seen.code).toBe(-32600);
    expect(seen.data).toEqual({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      path: 'create',
      fieldErrors: { name: [expect.stringContaining('3')] },
    });
    expect(JSON.parse(seen.message)).toMatchObject([{ code: 'too_small', path: ['name'] }]);
  });

  it('the error formatter shapes errors: extra data, and it is called with type, path, input and ctx', async () => {
    const formatterSaw = vi.fn();
    const t = initTRPC.context<{ user: string }>().create({
      errorFormatter: ({ shape, error, type, path, input, ctx }) => {
        formatterSaw({ type, path, input, ctx });
        return {
          ...shape,
          data: { ...shape.data, reason: error.cause instanceof AppError ? error.cause.reason : null },
        };
      },
    });
    const router = t.router({
      deleteThread: t.procedure.input(z.object({ id: z.string() })).mutation(() => {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'not yours', cause: new AppError('NOT_OWNER') });
      }),
      crash: t.procedure.query(() => {
        throw new Error('unexpected');
      }),
    });
    const ctx = { user: 'ada' };
    await using server = await serve(apply, { router, createContext: () => ctx });
    await using c = connect<typeof router>(server.url);

    const forbidden = await clientError(c.client.deleteThread.mutate({ id: 't1' }));
    const crash = await clientError(c.client.crash.query());

    expect(errorSeen(forbidden)).toEqual({
      message: 'not yours',
      code: -32003,
      data: { code: 'FORBIDDEN', httpStatus: 403, path: 'deleteThread', reason: 'NOT_OWNER' },
    });
    expect(errorSeen(crash)).toEqual({
      message: 'unexpected',
      code: -32603,
      data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, path: 'crash', reason: null },
    });
    expect(typeof forbidden.data?.stack).toBe('string');
    expect(formatterSaw).toHaveBeenCalledWith({ type: 'mutation', path: 'deleteThread', input: { id: 't1' }, ctx });
    expect(formatterSaw).toHaveBeenCalledWith({ type: 'query', path: 'crash', input: undefined, ctx });
  });

  it.each([
    ['query', 'an observable'],
    ['query', 'an async generator'],
    ['mutation', 'an async generator'],
  ] as const)('a %s that returns %s is answered with UNSUPPORTED_MEDIA_TYPE', async (type, returns) => {
    const t = initTRPC.create();
    const stream = () =>
      returns === 'an observable'
        ? observable<number>((emit) => emit.next(1))
        : (async function* () {
            yield 1;
          })();
    const router = t.router({
      streamingQuery: t.procedure.query(stream),
      streamingMutation: t.procedure.mutation(stream),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url);

    const call = type === 'query' ? c.client.streamingQuery.query() : c.client.streamingMutation.mutate();
    const error = await clientError(call);

    expect(errorSeen(error)).toEqual({
      message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
      code: -32015,
      data: {
        code: 'UNSUPPORTED_MEDIA_TYPE',
        httpStatus: 415,
        path: type === 'query' ? 'streamingQuery' : 'streamingMutation',
      },
    });
  });
});

describe.each(adapters)("the router's transformer (superjson): %s", (_name, apply) => {
  it('a Date round-trips through a query and a mutation, input and output', async () => {
    const t = initTRPC.create({ transformer: superjson });
    const received = vi.fn();
    const router = t.router({
      nextDay: t.procedure.input(z.date()).query(({ input }) => {
        received(input);
        return new Date(input.getTime() + 86_400_000);
      }),
      schedule: t.procedure
        .input(z.object({ at: z.date(), tags: z.set(z.string()) }))
        .mutation(({ input }) => ({ at: input.at, tags: input.tags, missing: undefined })),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url, { transformer: superjson });

    const day = new Date('2024-02-28T12:00:00.000Z');
    const next = await c.client.nextDay.query(day);
    const scheduled = await c.client.schedule.mutate({ at: day, tags: new Set(['a']) });

    expect(received).toHaveBeenCalledWith(day);
    expect(received.mock.calls[0]?.[0]).toBeInstanceOf(Date);
    expect(next).toBeInstanceOf(Date);
    expect(next.toISOString()).toBe('2024-02-29T12:00:00.000Z');
    expect(scheduled.at).toBeInstanceOf(Date);
    expect(scheduled.tags).toEqual(new Set(['a']));
    expect(Object.hasOwn(scheduled, 'missing')).toBe(true);
  });

  it('a Date round-trips through subscription data, tracked and untracked', async () => {
    const t = initTRPC.create({ transformer: superjson });
    const router = t.router({
      clock: t.procedure.input(z.object({ from: z.date() })).subscription(async function* (opts) {
        yield opts.input.from;
        yield tracked('t2', { at: new Date(opts.input.from.getTime() + 1_000) });
      }),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url, { transformer: superjson });
    const rec = recordSubscription();
    const from = new Date('2024-01-01T00:00:00.000Z');
    c.client.clock.subscribe({ from }, rec.handlers);

    await eventually(() => expect(rec.kinds()).toContain('complete'));
    const [first, second] = rec.data() as [Date, { id: string; data: { at: Date } }];
    expect(first).toBeInstanceOf(Date);
    expect(first.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(second.id).toBe('t2');
    expect(second.data.at).toBeInstanceOf(Date);
    expect(second.data.at.toISOString()).toBe('2024-01-01T00:00:01.000Z');
  });

  it('errors are serialized with the transformer too: the client reads code and message', async () => {
    const t = initTRPC.create({ transformer: superjson });
    const router = t.router({
      guarded: t.procedure.query(() => {
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
      }),
      failing: t.procedure.subscription(async function* () {
        yield new Date(0);
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'slow down' });
      }),
    });
    await using server = await serve(apply, { router });
    await using c = connect<typeof router>(server.url, { transformer: superjson });

    const error = await clientError(c.client.guarded.query());
    const rec = recordSubscription();
    c.client.failing.subscribe(undefined, rec.handlers);
    await eventually(() => expect(rec.errors()).toHaveLength(1));

    expect(errorSeen(error)).toEqual({
      message: 'sign in first',
      code: -32001,
      data: { code: 'UNAUTHORIZED', httpStatus: 401, path: 'guarded' },
    });
    expect(rec.data()).toEqual([new Date(0)]);
    expect(errorSeen(rec.firstError())).toMatchObject({
      message: 'slow down',
      data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'failing' },
    });
  });
});

describe.each(adapters)('onError: %s', (_name, apply) => {
  it('a failing query reports { error, type, path, input, ctx, req }', async () => {
    const onError = vi.fn();
    const t = initTRPC.context<{ user: string }>().create();
    const router = t.router({
      lookup: t.procedure.input(z.object({ id: z.string() })).query(() => {
        throw new TRPCError({ code: 'NOT_FOUND', message: 'no such thread' });
      }),
    });
    const ctx = { user: 'ada' };
    await using server = await serve(apply, { router, createContext: () => ctx, onError });
    await using c = connect<typeof router>(`${server.url}/trpc?client=test`);

    await clientError(c.client.lookup.query({ id: 't9' }));

    expect(onError).toHaveBeenCalledTimes(1);
    const reported = onError.mock.calls[0]?.[0];
    expect(reported).toMatchObject({ type: 'query', path: 'lookup', input: { id: 't9' }, ctx });
    expect(reported.ctx).toBe(ctx);
    expect(reported.error).toBeInstanceOf(TRPCError);
    expect(reported.error).toMatchObject({ code: 'NOT_FOUND', message: 'no such thread' });
    expect((reported.req as IncomingMessage).url).toBe('/trpc?client=test');
    expect(Object.keys(reported).sort()).toEqual(['ctx', 'error', 'input', 'path', 'req', 'type']);
  });

  it('a subscription that throws mid-stream reports type "subscription" with its path and input', async () => {
    const onError = vi.fn();
    const t = initTRPC.create();
    const router = t.router({
      feed: t.procedure.input(z.string()).subscription(async function* () {
        yield 1;
        throw new TRPCError({ code: 'CONFLICT', message: 'gone' });
      }),
    });
    await using server = await serve(apply, { router, createContext: () => ({}), onError });
    await using c = connect<typeof router>(server.url);
    const rec = recordSubscription();
    c.client.feed.subscribe('room-1', rec.handlers);

    await eventually(() => expect(onError).toHaveBeenCalledTimes(1));
    expect(onError.mock.calls[0]?.[0]).toMatchObject({
      type: 'subscription',
      path: 'feed',
      input: 'room-1',
      error: { code: 'CONFLICT', message: 'gone' },
    });
    expect(onError.mock.calls[0]?.[0].req.url).toBe('/');
  });
});
