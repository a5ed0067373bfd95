import { describe, expect, it, vi } from 'vitest';
import { adapters, RawSocket, serve, withoutStack } from './harness';
import { query, wireRouter } from './wire-router';

describe.each(adapters)('malformed frames: %s', (_name, apply) => {
  it('text that is not JSON is answered with PARSE_ERROR under id null, and the socket stays usable', async () => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send('not json');
    const error = withoutStack(await socket.next());
    socket.send(query(1, 'greet'));

    expect(error).toEqual({
      id: null,
      error: {
        code: -32700,
        message: expect.stringContaining('JSON'),
        data: { code: 'PARSE_ERROR', httpStatus: 400 },
      },
    });
    expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'hello world' } });
  });

  it.each([
    ['a number', 42, 'Not an object'],
    ['null', null, 'Not an object'],
    ['an object id', { id: {}, method: 'query', params: { path: 'greet' } }, 'Invalid request id'],
    ['no id', { method: 'query', params: { path: 'greet' } }, 'Invalid request id'],
    [
      'jsonrpc other than 2.0',
      { id: 1, jsonrpc: '1.0', method: 'query', params: { path: 'greet' } },
      'Must be JSONRPC 2.0',
    ],
    ['an unknown method', { id: 1, method: 'call', params: { path: 'greet' } }, 'Invalid procedure type'],
    ['no params', { id: 1, method: 'query' }, 'Not an object'],
    ['a path that is not a string', { id: 1, method: 'query', params: { path: 7 } }, 'Invalid string'],
    [
      'a lastEventId that is not a string',
      { id: 1, method: 'subscription', params: { path: 'live', lastEventId: 3 } },
      'Invalid string',
    ],
  ])('%s is answered with PARSE_ERROR under id null', async (_what, message, reason) => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send(JSON.stringify(message));

    expect(withoutStack(await socket.next())).toEqual({
      id: null,
      error: { code: -32700, message: reason, data: { code: 'PARSE_ERROR', httpStatus: 400 } },
    });
  });

  it('id null is answered with PARSE_ERROR "`id` is required", jsonrpc echoed', async () => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send({ id: null, jsonrpc: '2.0', method: 'query', params: { path: 'greet' } });

    expect(withoutStack(await socket.next())).toEqual({
      id: null,
      jsonrpc: '2.0',
      error: { code: -32700, message: '`id` is required', data: { code: 'PARSE_ERROR', httpStatus: 400 } },
    });
  });

  it('a binary frame is answered with PARSE_ERROR under id null, and the socket stays usable', async () => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send(query(1, 'greet'), { binary: true });
    const error = withoutStack(await socket.next());
    socket.send(query(2, 'greet'));

    expect(error).toEqual({
      id: null,
      error: {
        code: -32700,
        message: 'jsonEncoder received binary data. JSON uses text frames. Use a binary encoder for binary data.',
        data: { code: 'PARSE_ERROR', httpStatus: 400 },
      },
    });
    expect(await socket.next()).toEqual({ id: 2, result: { type: 'data', data: 'hello world' } });
  });

  it('a malformed frame is answered but not reported to onError; a call with id null is reported', async () => {
    const onError = vi.fn();
    const { router } = wireRouter();
    await using server = await serve(apply, { router, onError });
    await using socket = await RawSocket.open(server.url);

    socket.send('{');
    await socket.next();
    expect(onError).not.toHaveBeenCalled();

    socket.send({ id: null, method: 'query', params: { path: 'greet' } });
    await socket.next();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ type: 'unknown', error: { code: 'PARSE_ERROR' } });
  });
});
