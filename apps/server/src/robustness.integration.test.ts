import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { errorCode, rawSocket } from './test/raw-socket';
import { recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

async function generalId(client: ReturnType<TestServer['client']>) {
  const general = (await client.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no general');
  return general.id;
}

describe('bad input loses nothing and hurts no one else', () => {
  it('answers malformed frames with errors while other clients keep chatting', async () => {
    server = await startTestServer({ maxPayloadBytes: 64 * 1024 });
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const a = server.client(alice.token);
    const channelId = await generalId(a);
    const watch = recordChannel(a, channelId);
    await watch.until((e) => e.some((x) => x.data.type === 'presence'));

    const raw = await rawSocket(`${server.wsUrl}?token=${bob.token}`);
    raw.ws.send('this is not json');
    expect(errorCode(await raw.frame((f) => f.id === null))).toBe('PARSE_ERROR');
    raw.ws.send(JSON.stringify({ id: 7, method: 'query', params: { path: 'no.such.procedure', input: null } }));
    expect(errorCode(await raw.frame((f) => f.id === 7))).toBe('NOT_FOUND');
    raw.ws.send(JSON.stringify({ id: 8, method: 'mutation', params: { path: 'message.send', input: { channelId } } }));
    expect(errorCode(await raw.frame((f) => f.id === 8))).toBe('BAD_REQUEST');
    raw.ws.send(JSON.stringify({ id: 9, method: 'explode', params: {} }));
    raw.ws.send(JSON.stringify([1, 2, 3]));
    raw.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]));
    await raw.frame((f) => f.id === null && raw.frames.filter((x) => x.id === null).length >= 3);
    // The same socket still works for a proper call.
    raw.ws.send(JSON.stringify({ id: 10, method: 'query', params: { path: 'system.ping', input: null } }));
    expect((await raw.frame((f) => f.id === 10)).result).toMatchObject({ data: { pong: true } });

    // A frame over maxPayload closes only that socket (1009: message too big).
    const big = await rawSocket(`${server.wsUrl}?token=${bob.token}`);
    big.ws.send('x'.repeat(100 * 1024));
    expect((await big.closed).code).toBe(1009);

    await a.api.message.send.mutate({ channelId, content: 'still here' });
    await watch.until((e) => e.some((x) => x.data.type === 'message.created'));
    raw.ws.close();
  });

  it('rejects wrong types with BAD_REQUEST, field errors, and writes nothing', async () => {
    server = await startTestServer();
    const { token } = await server.signup('alice');
    const a = server.client(token);
    const channelId = await generalId(a);
    const res = await fetch(`${server.url}/trpc/message.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channelId, content: 42 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { code: string; zodError: { fieldErrors: object } } } };
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(Object.keys(body.error.data.zodError.fieldErrors)).toContain('content');
    await expect(a.api.message.send.mutate({ channelId, content: 'x'.repeat(8001) })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(a.api.message.send.mutate({ channelId: 'no-such-channel', content: 'hi' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(a.api.message.edit.mutate({ messageId: 'nope', content: 'hi' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect((await a.api.message.history.query({ channelId })).items).toEqual([]);
  });

  it('answers an oversize HTTP body with PAYLOAD_TOO_LARGE', async () => {
    server = await startTestServer({ maxPayloadBytes: 16 * 1024 });
    const { token } = await server.signup('alice');
    const res = await fetch(`${server.url}/trpc/message.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channelId: 'x', content: 'y'.repeat(64 * 1024) }),
    });
    expect(res.status).toBe(413);
  });

  it('cuts off a subscriber whose socket stops draining, with a resume close code', async () => {
    server = await startTestServer({ maxBufferedBytes: 64 * 1024 });
    const alice = await server.signup('alice');
    const bob = await server.signup('bob');
    const a = server.client(alice.token);
    const channelId = await generalId(a);
    const stalled = await rawSocket(`${server.wsUrl}?token=${bob.token}`);
    stalled.ws.send(
      JSON.stringify({ id: 1, method: 'subscription', params: { path: 'channel.onEvent', input: { channelId } } }),
    );
    await stalled.frame((f) => f.id === 1 && (f.result as { type?: string })?.type === 'started');
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const healthy = recordChannel(a, channelId);
    // The server closes the stalled socket (CLOSING) once its backlog passes the limit.
    const cutOff = () => [...server.hubbub.wss.clients].some((ws) => ws.readyState === ws.CLOSING);
    // Up to ~16 MB: more than loopback's kernel buffers can absorb.
    const content = 'z'.repeat(7900);
    let sent = 0;
    while (sent < 2000 && !cutOff()) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          a.api.message.send.mutate({ channelId, content: `${sent + j} ${content}` }),
        ),
      );
      sent += 50;
    }
    expect(cutOff()).toBe(true);
    // Read again at once: a client that stays silent past the cut-off's grace is dropped without its close frame.
    (stalled.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await stalled.closed).code).toBe(4008);
    // Everyone else got every message.
    await healthy.until((e) => e.filter((x) => x.data.type === 'message.created').length === sent, 20_000);
  }, 60_000);
});
