import { initTRPC } from '@trpc/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { adapters, connect, eventually, RawSocket, serve } from './harness';

function greetRouter() {
  const t = initTRPC.create();
  return t.router({ greet: t.procedure.input(z.string()).query(({ input }) => `hello ${input}`) });
}

describe.each(adapters)('keepalive: %s', (_name, apply) => {
  it('keepAlive.enabled: the server PINGs an idle connection', async () => {
    const router = greetRouter();
    await using server = await serve(apply, {
      router,
      keepAlive: { enabled: true, pingMs: 20, pongWaitMs: 5_000 },
    });
    await using socket = await RawSocket.open(server.url);

    expect(await socket.nextFrame()).toEqual({ text: 'PING', binary: false });
  });

  it('keepAlive.enabled: a connection that never answers PING is terminated after pongWaitMs', async () => {
    const router = greetRouter();
    await using server = await serve(apply, {
      router,
      keepAlive: { enabled: true, pingMs: 20, pongWaitMs: 50 },
    });
    await using socket = await RawSocket.open(server.url);

    expect((await socket.nextFrame()).text).toBe('PING');
    // 1006: terminated without a close frame, the way the stock keepalive gives up.
    expect((await socket.closed).code).toBe(1006);
  });

  it('keepAlive.enabled: a client that answers with PONG stays connected', async () => {
    const router = greetRouter();
    await using server = await serve(apply, {
      router,
      keepAlive: { enabled: true, pingMs: 10, pongWaitMs: 2_000 },
    });
    const pongs = vi.fn();
    server.wss.on('connection', (ws) => ws.on('message', (data) => String(data) === 'PONG' && pongs()));
    await using c = connect<typeof router>(server.url);

    await eventually(() => expect(pongs.mock.calls.length).toBeGreaterThanOrEqual(5));
    expect(await c.client.greet.query('still')).toBe('hello still');
    expect(c.closed).not.toHaveBeenCalled();
    expect(c.opened).toHaveBeenCalledTimes(1);
  });

  it('keepAlive.enabled false: no PING, even with a tiny pingMs', async () => {
    const router = greetRouter();
    await using server = await serve(apply, {
      router,
      keepAlive: { enabled: false, pingMs: 1, pongWaitMs: 1 },
    });
    await using socket = await RawSocket.open(server.url);

    // An absence has no event to wait for: 30 round trips, each longer than a ping-and-wait period, and every
    // next frame is the answer, never a PING.
    for (let id = 1; id <= 30; id++) {
      socket.send({ id, method: 'query', params: { path: 'greet', input: 'x' } });
      expect(await socket.next()).toEqual({ id, result: { type: 'data', data: 'hello x' } });
    }
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('a client PING is answered PONG; a client PONG is not answered at all', async () => {
    const router = greetRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send('PING');
    expect(await socket.nextFrame()).toEqual({ text: 'PONG', binary: false });
    socket.send('PONG');
    socket.send({ id: 1, method: 'query', params: { path: 'greet', input: 'x' } });
    expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'hello x' } });
  });

  it('dangerouslyDisablePong: a client PING gets no PONG', async () => {
    const router = greetRouter();
    await using server = await serve(apply, {
      router,
      dangerouslyDisablePong: true,
    });
    await using socket = await RawSocket.open(server.url);

    socket.send('PING');
    socket.send({ id: 1, method: 'query', params: { path: 'greet', input: 'x' } });

    // The PING was read first: had it been answered, PONG would be the first frame.
    expect(await socket.next()).toEqual({ id: 1, result: { type: 'data', data: 'hello x' } });
  });

  it("the client's keepAlive: answered PINGs keep it open; with dangerouslyDisablePong it gives up", async () => {
    const router = greetRouter();
    await using answering = await serve(apply, { router });
    await using silent = await serve(apply, {
      router,
      dangerouslyDisablePong: true,
    });
    const pings = vi.fn();
    answering.wss.on('connection', (ws) => ws.on('message', (data) => String(data) === 'PING' && pings()));
    const keepAlive = { enabled: true, intervalMs: 10, pongTimeoutMs: 1_000 };
    await using kept = connect<typeof router>(answering.url, { keepAlive });
    await using dropped = connect<typeof router>(silent.url, { keepAlive });

    await eventually(() => expect(dropped.closed).toHaveBeenCalled());
    await eventually(() => expect(pings.mock.calls.length).toBeGreaterThanOrEqual(5));
    expect(kept.closed).not.toHaveBeenCalled();
  });
});
