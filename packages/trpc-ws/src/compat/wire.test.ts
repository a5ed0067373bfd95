import { describe, expect, it } from 'vitest';
import { adapters, eventually, RawSocket, serve, withoutStack } from './harness';
import { deferred } from './recorders';
import { query, wireRouter } from './wire-router';

describe.each(adapters)('wire protocol: %s', (_name, apply) => {
  describe('answers', () => {
    it('a query is answered { id, result: { type: "data", data } } and nothing more', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send(query(1, 'greet', 'ada'));

      expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'hello ada' } });
    });

    it('a string id is answered under the same string id', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send(query('req-7', 'greet'));

      expect(await socket.next()).toEqual({ id: 'req-7', result: { type: 'data', data: 'hello world' } });
    });

    it('"jsonrpc" is echoed on query, mutation and error answers', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ ...query(1, 'greet'), jsonrpc: '2.0' });
      expect(await socket.next()).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'data', data: 'hello world' } });
      socket.send({ id: 2, jsonrpc: '2.0', method: 'mutation', params: { path: 'add', input: { a: 1, b: 2 } } });
      expect(await socket.next()).toEqual({ id: 2, jsonrpc: '2.0', result: { type: 'data', data: 3 } });
      socket.send({ ...query(3, 'missing'), jsonrpc: '2.0' });
      expect(withoutStack(await socket.next())).toEqual({
        id: 3,
        jsonrpc: '2.0',
        error: {
          code: -32004,
          message: 'No "query"-procedure on path "missing"',
          data: { code: 'NOT_FOUND', httpStatus: 404, path: 'missing' },
        },
      });
    });

    it('a procedure of another type is NOT_FOUND: a mutation called as a query, a query as a subscription', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send(query(1, 'add', { a: 1, b: 2 }));
      expect(withoutStack(await socket.next())).toEqual({
        id: 1,
        error: {
          code: -32004,
          message: 'No "query"-procedure on path "add"',
          data: { code: 'NOT_FOUND', httpStatus: 404, path: 'add' },
        },
      });
      socket.send({ id: 2, method: 'subscription', params: { path: 'greet' } });
      expect(withoutStack(await socket.next())).toMatchObject({
        id: 2,
        error: { code: -32004, message: 'No "subscription"-procedure on path "greet"' },
      });
    });

    it('a call sent before a slow createContext settles is answered once it does', async () => {
      const { router } = wireRouter();
      const contextReady = deferred<object>();
      await using server = await serve(apply, { router, createContext: () => contextReady.promise });
      const received = deferred();
      server.wss.on('connection', (ws) => ws.on('message', () => received.resolve()));
      await using socket = await RawSocket.open(server.url);

      socket.send(query(1, 'greet'));
      await received.promise;
      contextReady.resolve({});

      expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'hello world' } });
    });
  });

  describe('subscription frames', () => {
    it('started, untracked data, then stopped after subscription.stop (the generator finally runs)', async () => {
      const { router, feed, finallyRan } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push({ text: 'hi' });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: { text: 'hi' } } });

      socket.send({ id: 1, method: 'subscription.stop' });

      expect(await socket.next()).toEqual({ id: 1, result: { type: 'stopped' } });
      await eventually(() => expect(finallyRan).toHaveBeenCalledTimes(1));
    });

    it('a tracked value is { type: "data", id, data: { id, data } }, and a generator that returns sends stopped', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 1, method: 'subscription', params: { path: 'tracked' } });

      expect(await socket.take(3)).toEqual([
        { id: 1, result: { type: 'started' } },
        { id: 1, result: { type: 'data', id: 'e1', data: { id: 'e1', data: { text: 'first' } } } },
        { id: 1, result: { type: 'stopped' } },
      ]);
    });

    it('"jsonrpc" is echoed on started, data and stopped', async () => {
      const { router, feed } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 1, jsonrpc: '2.0', method: 'subscription', params: { path: 'live' } });
      expect(await socket.next()).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'started' } });
      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push('x');
      expect(await socket.next()).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'data', data: 'x' } });
      socket.send({ id: 1, jsonrpc: '2.0', method: 'subscription.stop' });
      expect(await socket.next()).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'stopped' } });
    });

    it('an error thrown mid-stream is an error frame under the subscription id, with path', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 5, method: 'subscription', params: { path: 'failing', input: 'room' } });

      const [started, data, error] = await socket.take(3);
      expect([started, data]).toEqual([
        { id: 5, result: { type: 'started' } },
        { id: 5, result: { type: 'data', data: 'before' } },
      ]);
      expect(withoutStack(error)).toEqual({
        id: 5,
        error: {
          code: -32009,
          message: 'stream broke',
          data: { code: 'CONFLICT', httpStatus: 409, path: 'failing' },
        },
      });
    });

    it('a duplicate subscription id is refused with BAD_REQUEST; the first keeps delivering', async () => {
      const { router, feed } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);
      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });

      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });

      expect(withoutStack(await socket.next())).toEqual({
        id: 1,
        error: {
          code: -32600,
          message: 'Duplicate id 1',
          data: { code: 'BAD_REQUEST', httpStatus: 400, path: 'live' },
        },
      });
      await eventually(() => expect(feed.subscribers()).toBe(1));
      feed.push('still here');
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'still here' } });
    });

    it('an id is free again once its subscription has stopped', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);
      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
      socket.send({ id: 1, method: 'subscription.stop' });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'stopped' } });

      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });

      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
    });

    it('subscription.stop for an id that is not running is ignored', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send({ id: 99, method: 'subscription.stop' });
      socket.send(query(2, 'greet'));

      // The answer to the call after it is the first frame: the stop produced nothing.
      expect(await socket.next()).toEqual({ id: 2, result: { type: 'data', data: 'hello world' } });
    });

    it('closing the socket stops its subscriptions (the generator finally runs)', async () => {
      const { router, feed, finallyRan } = wireRouter();
      await using server = await serve(apply, { router });
      const socket = await RawSocket.open(server.url);
      socket.send({ id: 1, method: 'subscription', params: { path: 'live' } });
      expect(await socket.next()).toEqual({ id: 1, result: { type: 'started' } });
      await eventually(() => expect(feed.subscribers()).toBe(1));

      socket.ws.close();

      await eventually(() => expect(finallyRan).toHaveBeenCalledTimes(1));
      expect(feed.subscribers()).toBe(0);
    });
  });

  describe('batches', () => {
    it('each call in a batch frame sees its batchIndex; a lone call sees 0', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send([query(1, 'batchIndex'), query(2, 'batchIndex'), query(3, 'batchIndex')]);
      const answers = await socket.take(3);
      socket.send(query(4, 'batchIndex'));
      const lone = await socket.next();

      expect(Object.fromEntries(answers.map((a) => [a.id, a.result.data]))).toEqual({ 1: 0, 2: 1, 3: 2 });
      expect(lone).toEqual({ id: 4, result: { type: 'data', data: 0 } });
    });

    it('a query, a mutation and a subscription in one frame are each answered under their own id', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send([
        query(1, 'greet', 'a'),
        { id: 2, method: 'mutation', params: { path: 'add', input: { a: 2, b: 3 } } },
        { id: 3, method: 'subscription', params: { path: 'tracked' } },
        query(4, 'missing'),
      ]);
      const frames = (await socket.take(6)).map(withoutStack);

      const byId = (id: number) => frames.filter((f) => f.id === id);
      expect(byId(1)).toEqual([{ id: 1, result: { type: 'data', data: 'hello a' } }]);
      expect(byId(2)).toEqual([{ id: 2, result: { type: 'data', data: 5 } }]);
      expect(byId(3)).toEqual([
        { id: 3, result: { type: 'started' } },
        { id: 3, result: { type: 'data', id: 'e1', data: { id: 'e1', data: { text: 'first' } } } },
        { id: 3, result: { type: 'stopped' } },
      ]);
      expect(byId(4)).toMatchObject([{ id: 4, error: { data: { code: 'NOT_FOUND', path: 'missing' } } }]);
    });

    it('a batch with one malformed call is refused whole: one PARSE_ERROR, none of it runs', async () => {
      const { router } = wireRouter();
      await using server = await serve(apply, { router });
      await using socket = await RawSocket.open(server.url);

      socket.send([query(1, 'greet'), { id: 2, method: 'nope' }]);
      const refusal = withoutStack(await socket.next());
      socket.send(query(3, 'greet'));
      const next = await socket.next();

      expect(refusal).toEqual({
        id: null,
        error: { code: -32700, message: 'Invalid procedure type', data: { code: 'PARSE_ERROR', httpStatus: 400 } },
      });
      // Call 1 never ran: the next answer is the sentinel's.
      expect(next).toEqual({ id: 3, result: { type: 'data', data: 'hello world' } });
    });
  });
});
