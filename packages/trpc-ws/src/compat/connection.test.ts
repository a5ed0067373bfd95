import type { IncomingMessage } from 'node:http';
import { initTRPC, TRPCError, tracked } from '@trpc/server';
import type { CreateWSSContextFnOptions, Encoder } from '@trpc/server/adapters/ws';
import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { adapters, connect, eventually, listen, RawSocket, serve, withoutStack } from './harness';
import { clientError, createLog, deferred, errorSeen, recordSubscription } from './recorders';

/** A router that answers who the context says is calling, with one resumable subscription over a log the test appends to. */
function contextRouter() {
  const log = createLog();
  const inputs: unknown[] = [];
  const t = initTRPC.context<{ user: string | null }>().create();
  const router = t.router({
    whoami: t.procedure.query(({ ctx }) => ctx.user),
    greet: t.procedure.input(z.string()).query(({ input }) => `hello ${input}`),
    events: t.procedure
      .input(z.object({ lastEventId: z.string().nullish() }).nullish())
      .subscription(async function* (opts) {
        inputs.push(opts.input);
        for await (const id of log.after(opts.input?.lastEventId, opts.signal)) yield tracked(id, id);
      }),
  });
  return { router, log, inputs };
}

const userFrom = ({ info }: CreateWSSContextFnOptions) => ({ user: info.connectionParams?.token ?? null });

describe.each(adapters)('connections: %s', (_name, apply) => {
  describe('lazy clients', () => {
    it('connect on the first call and close when idle, then connect again for the next', async () => {
      const { router } = contextRouter();
      await using server = await serve(apply, { router, createContext: () => ({ user: null }) });
      await using c = connect<typeof router>(server.url, { lazy: { enabled: true, closeMs: 1 } });
      expect(c.wsClient.connection).toBeNull();
      expect(server.sockets).toHaveLength(0);

      expect(await Promise.all([c.client.greet.query('a'), c.client.greet.query('b')])).toEqual(['hello a', 'hello b']);
      await eventually(() => expect(c.closed).toHaveBeenCalledTimes(1));
      expect(c.wsClient.connection).toBeNull();

      expect(await c.client.greet.query('c')).toBe('hello c');
      await eventually(() => expect(c.closed).toHaveBeenCalledTimes(2));
      expect(c.opened).toHaveBeenCalledTimes(2);
      expect(server.sockets).toHaveLength(2);
    });

    it('a subscription keeps a lazy client connected; unsubscribing lets it close', async () => {
      const { router, log } = contextRouter();
      await using server = await serve(apply, { router, createContext: () => ({ user: null }) });
      await using c = connect<typeof router>(server.url, { lazy: { enabled: true, closeMs: 1 } });
      const rec = recordSubscription();
      const subscription = c.client.events.subscribe(undefined, rec.handlers);
      await eventually(() => expect(log.subscribers()).toBe(1));
      log.append('1');
      await eventually(() => expect(rec.data()).toEqual([{ id: '1', data: '1' }]));
      expect(c.closed).not.toHaveBeenCalled();

      subscription.unsubscribe();

      await eventually(() => expect(c.closed).toHaveBeenCalledTimes(1));
      await eventually(() => expect(log.subscribers()).toBe(0));
      expect(c.opened).toHaveBeenCalledTimes(1);
    });

    it('a lazy client whose connection drops during a subscription reconnects and resumes it', async () => {
      const { router, log, inputs } = contextRouter();
      await using server = await serve(apply, { router, createContext: () => ({ user: null }) });
      await using c = connect<typeof router>(server.url, { lazy: { enabled: true, closeMs: 0 } });
      const rec = recordSubscription();
      c.client.events.subscribe(undefined, rec.handlers);
      await eventually(() => expect(log.subscribers()).toBe(1));
      log.append('1');
      await eventually(() => expect(rec.data()).toHaveLength(1));

      server.dropConnections();

      await eventually(() => {
        expect(inputs).toEqual([undefined, { lastEventId: '1' }]);
        expect(log.subscribers()).toBe(1);
      });
      log.append('2');
      await eventually(() => expect(rec.data()).toHaveLength(2));
      expect(rec.errors()).toEqual([]);
    });
  });

  describe('connectionParams and createContext', () => {
    it('createContext gets { req, res, info }: the upgrade request, the socket and the connection info', async () => {
      const { router } = contextRouter();
      const seen = deferred<CreateWSSContextFnOptions>();
      await using server = await serve(apply, {
        router,
        createContext: (opts) => {
          seen.resolve(opts);
          return { user: null };
        },
      });
      await using c = connect<typeof router>(`${server.url}/trpc?v=1`);

      expect(await c.client.whoami.query()).toBeNull();
      const { req, res, info } = await seen.promise;
      expect((req as IncomingMessage).url).toBe('/trpc?v=1');
      expect(req.headers.upgrade).toBe('websocket');
      expect(res).toBe(server.sockets[0] as WebSocket);
      expect(info).toMatchObject({
        connectionParams: null,
        calls: [],
        isBatchCall: false,
        accept: null,
        type: 'unknown',
        url: null,
      });
      expect(info.signal).toBeInstanceOf(AbortSignal);
      expect(info.signal.aborted).toBe(false);
    });

    it('createContext runs once per connection, and its signal aborts when the connection closes', async () => {
      const { router } = contextRouter();
      const signals: AbortSignal[] = [];
      const createContext = vi.fn((opts: CreateWSSContextFnOptions) => {
        signals.push(opts.info.signal);
        return { user: null };
      });
      await using server = await serve(apply, { router, createContext });
      await using c = connect<typeof router>(server.url);

      await Promise.all([c.client.greet.query('a'), c.client.greet.query('b')]);
      await c.client.greet.query('c');
      expect(createContext).toHaveBeenCalledTimes(1);

      await c.wsClient.close();
      await eventually(() => expect(signals.map((signal) => signal.aborted)).toEqual([true]));
    });

    it('sync connectionParams reach createContext as info.connectionParams', async () => {
      const { router } = contextRouter();
      await using server = await serve(apply, { router, createContext: userFrom });
      await using c = connect<typeof router>(server.url, { connectionParams: { token: 'ada' } });

      expect(await c.client.whoami.query()).toBe('ada');
    });

    it('async connectionParams reach createContext, and calls made meanwhile wait for them', async () => {
      const { router } = contextRouter();
      const params = deferred<Record<string, string>>();
      await using server = await serve(apply, { router, createContext: userFrom });
      await using c = connect<typeof router>(server.url, { connectionParams: () => params.promise });

      const whoami = c.client.whoami.query();
      await eventually(() => expect(server.sockets).toHaveLength(1));
      params.resolve({ token: 'bob' });

      expect(await whoami).toBe('bob');
    });

    it('no connectionParams: info.connectionParams is null', async () => {
      const { router } = contextRouter();
      const createContext = vi.fn(userFrom);
      await using server = await serve(apply, { router, createContext });
      await using c = connect<typeof router>(server.url);

      expect(await c.client.whoami.query()).toBeNull();
      expect(createContext.mock.calls[0]?.[0].info.connectionParams).toBeNull();
    });

    it('a call in the same burst as the connectionParams frame runs with the context they make', async () => {
      const { router } = contextRouter();
      await using server = await serve(apply, { router, createContext: userFrom });
      await using socket = await RawSocket.open(`${server.url}?connectionParams=1`);

      socket.send({ method: 'connectionParams', data: { token: 'cy' } });
      socket.send({ id: 1, method: 'query', params: { path: 'whoami' } });

      expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'cy' } });
    });

    it.each([
      [
        'params that are not all strings',
        { method: 'connectionParams', data: { token: 5 } },
        'Invalid connection params shape',
      ],
      ['a frame that is not JSON', 'hello?', 'Malformed TRPCConnectionParamsMessage'],
    ])('%s: PARSE_ERROR under id null, then the socket is closed', async (_what, frame, message) => {
      const { router } = contextRouter();
      await using server = await serve(apply, { router, createContext: userFrom });
      await using socket = await RawSocket.open(`${server.url}?connectionParams=1`);

      socket.send(frame);

      expect(withoutStack(await socket.next())).toEqual({
        id: null,
        error: { code: -32700, message, data: { code: 'PARSE_ERROR', httpStatus: 400 } },
      });
      expect((await socket.closed).code).toBe(1005);
    });

    it('createContext throwing: an error under id null, the same error for each waiting call, then close', async () => {
      const { router } = contextRouter();
      const refuse = deferred<never>();
      const onError = vi.fn();
      await using server = await serve(apply, { router, createContext: () => refuse.promise, onError });
      const received = deferred();
      server.wss.on('connection', (ws) => ws.on('message', () => received.resolve()));
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 1, method: 'query', params: { path: 'greet', input: 'x' } });
      await received.promise;
      refuse.reject(new TRPCError({ code: 'UNAUTHORIZED', message: 'who are you' }));

      const frames = (await socket.take(2)).map(withoutStack);
      const error = { code: -32001, message: 'who are you', data: { code: 'UNAUTHORIZED', httpStatus: 401 } };
      expect(frames).toEqual([
        { id: null, error },
        { id: 1, error: { ...error, data: { ...error.data, path: 'greet' } } },
      ]);
      expect((await socket.closed).code).toBe(1005);
      expect(onError.mock.calls.map(([e]) => [e.type, e.path, e.error.code])).toEqual([
        ['unknown', undefined, 'UNAUTHORIZED'],
        ['query', 'greet', 'UNAUTHORIZED'],
      ]);
    });

    it("createContext throwing: the client's call fails with that error", async () => {
      const { router } = contextRouter();
      const refuse = deferred<never>();
      await using server = await serve(apply, { router, createContext: () => refuse.promise });
      const received = deferred();
      server.wss.on('connection', (ws) => ws.on('message', () => received.resolve()));
      await using c = connect<typeof router>(server.url, { lazy: { enabled: true, closeMs: 0 } });

      const call = clientError(c.client.greet.query('x'));
      await received.promise;
      refuse.reject(new TRPCError({ code: 'FORBIDDEN', message: 'banned' }));

      expect(errorSeen(await call)).toEqual({
        message: 'banned',
        code: -32003,
        data: { code: 'FORBIDDEN', httpStatus: 403, path: 'greet' },
      });
    });
  });

  describe('the server', () => {
    it('prefix: each handler serves only connections whose path starts with its prefix', async () => {
      const t = initTRPC.create();
      const routerA = t.router({ name: t.procedure.query(() => 'a') });
      const routerB = t.router({ name: t.procedure.query(() => 'b') });
      await using server = await listen();
      apply({ wss: server.wss, router: routerA, prefix: '/a' });
      apply({ wss: server.wss, router: routerB, prefix: '/b' });
      await using toA = connect<typeof routerA>(`${server.url}/a/trpc`);
      await using toB = connect<typeof routerB>(`${server.url}/b`);

      expect(await toA.client.name.query()).toBe('a');
      expect(await toB.client.name.query()).toBe('b');
    });

    it('broadcastReconnectNotification sends { id: null, method: "reconnect" } to every open socket', async () => {
      const { router } = contextRouter();
      await using server = await serve(apply, { router, createContext: () => ({ user: null }) });
      await using first = await RawSocket.open(server.url);
      await using second = await RawSocket.open(server.url);
      await eventually(() => expect(server.sockets).toHaveLength(2));

      server.handler.broadcastReconnectNotification();

      expect(await first.next()).toEqual({ id: null, method: 'reconnect' });
      expect(await second.next()).toEqual({ id: null, method: 'reconnect' });
    });

    it('after broadcastReconnectNotification the client reconnects and resubscribes from its lastEventId', async () => {
      const { router, log, inputs } = contextRouter();
      await using server = await serve(apply, { router, createContext: () => ({ user: null }) });
      await using c = connect<typeof router>(server.url);
      const rec = recordSubscription();
      c.client.events.subscribe(undefined, rec.handlers);
      await eventually(() => expect(log.subscribers()).toBe(1));
      log.append('1');
      await eventually(() => expect(rec.data()).toHaveLength(1));

      server.handler.broadcastReconnectNotification();

      // wsLink may reconnect twice (the old socket's close also triggers one): the log makes that harmless.
      await eventually(() => expect(inputs[1]).toEqual({ lastEventId: '1' }));
      expect(c.opened.mock.calls.length).toBeGreaterThanOrEqual(2);
      log.append('2');
      await eventually(() =>
        expect(rec.data()).toEqual([
          { id: '1', data: '1' },
          { id: '2', data: '2' },
        ]),
      );
      expect(inputs[0]).toBeUndefined();
      expect(rec.errors()).toEqual([]);
    });

    it('experimental_encoder: a binary encoder carries calls, subscriptions and the reconnect notification', async () => {
      const encoder = binaryEncoder();
      const { router, log, inputs } = contextRouter();
      await using server = await serve(apply, {
        router,
        createContext: () => ({ user: null }),
        experimental_encoder: encoder,
      });
      const binaryFrames = vi.fn();
      server.wss.on('connection', (ws) => ws.on('message', (_data, isBinary) => isBinary && binaryFrames()));
      await using c = connect<typeof router>(server.url, { experimental_encoder: encoder });

      expect(await c.client.greet.query('bin')).toBe('hello bin');
      const rec = recordSubscription();
      c.client.events.subscribe(undefined, rec.handlers);
      await eventually(() => expect(log.subscribers()).toBe(1));
      log.append('1');
      await eventually(() => expect(rec.data()).toEqual([{ id: '1', data: '1' }]));
      server.handler.broadcastReconnectNotification();
      await eventually(() => expect(inputs[1]).toEqual({ lastEventId: '1' }));

      // Every frame the client decoded carried the tag, so the server encoded them all.
      expect(binaryFrames).toHaveBeenCalled();
      expect(rec.errors()).toEqual([]);
    });
  });
});

/** JSON behind a 4-byte tag, in binary frames: both ends must use it or nothing parses. */
function binaryEncoder(): Encoder {
  const tag = 'BIN:';
  return {
    encode(data) {
      return new TextEncoder().encode(tag + JSON.stringify(data));
    },
    decode(data) {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer | Uint8Array);
      if (!text.startsWith(tag)) throw new Error('not tagged');
      return JSON.parse(text.slice(tag.length));
    },
  };
}
