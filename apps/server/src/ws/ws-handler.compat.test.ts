/**
 * Hubbub's WebSocket adapter against the unmodified @trpc/client wsLink and
 * against hand-written frames: the protocol features a client relies on.
 */

import type { AppRouter } from '@hubbub/api';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../test/harness';
import { errorCode, rawSocket } from '../test/raw-socket';

let server: TestServer | undefined;
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await server?.stop();
  server = undefined;
});

async function generalId(token: string) {
  const res = await fetch(`${server?.url}/trpc/channel.list`, { headers: { authorization: `Bearer ${token}` } });
  const list = ((await res.json()) as { result: { data: { items: { id: string; slug: string }[] } } }).result.data
    .items;
  return list.find((c) => c.slug === 'general')?.id as string;
}

function stockClient(token: string, keepAlive?: { intervalMs: number; pongTimeoutMs: number }) {
  const ws = createWSClient({
    url: server?.wsUrl as string,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: { token },
    retryDelayMs: () => 50,
    ...(keepAlive ? { keepAlive: { enabled: true, ...keepAlive } } : {}),
  });
  closers.push(() => ws.close());
  return { ws, api: createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] }) };
}

const until = (done: () => boolean, timeout = 5000) =>
  vi.waitFor(
    () => {
      if (!done()) throw new Error('timed out');
    },
    { timeout, interval: 10 },
  );

describe('the WebSocket adapter speaks the stock wsLink protocol', () => {
  it('answers queries, mutations and subscriptions over one socket with connectionParams', async () => {
    server = await startTestServer();
    const { token } = await server.signup('alice');
    const { api } = stockClient(token);
    expect((await api.auth.me.query()).handle).toBe('alice');
    const channelId = await generalId(token);
    const seen: string[] = [];
    const sub = api.channel.onEvent.subscribe({ channelId }, { onData: ({ data }) => seen.push(data.type) });
    closers.push(() => sub.unsubscribe());
    await until(() => seen.includes('presence'));
    await api.message.send.mutate({ channelId, content: 'over the adapter' });
    await until(() => seen.includes('message.created'));
  });

  it('follows the reconnect notification: the client reconnects and resumes with lastEventId, no gap', async () => {
    server = await startTestServer();
    const { token } = await server.signup('alice');
    const { api } = stockClient(token);
    const channelId = await generalId(token);
    const contents: string[] = [];
    const sub = api.channel.onEvent.subscribe(
      { channelId },
      {
        onData: ({ data }) => {
          if (data.type === 'message.created') contents.push(data.message.content);
        },
      },
    );
    closers.push(() => sub.unsubscribe());
    await until(() => server?.hubbub.wss.clients.size === 1);
    await api.message.send.mutate({ channelId, content: 'before' });
    await until(() => contents.includes('before'));
    // Tell the client to reconnect, and send while it is away (over HTTP).
    for (const client of server.hubbub.wss.clients) client.send(JSON.stringify({ id: null, method: 'reconnect' }));
    const post = (content: string) =>
      fetch(`${server?.url}/trpc/message.send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ channelId, content }),
      });
    await post('while away 1');
    await post('while away 2');
    await until(() => contents.length >= 3);
    await api.message.send.mutate({ channelId, content: 'after' });
    await until(() => contents.includes('after'));
    expect(contents).toEqual(['before', 'while away 1', 'while away 2', 'after']);
  });

  it('keeps the connection alive: server PINGs are answered by the stock client, client PINGs get PONG', async () => {
    server = await startTestServer({ keepAlive: { pingMs: 100, pongWaitMs: 300 } });
    const { token } = await server.signup('alice');
    // The client would PING after 2 s of silence: the server, pinging after 100 ms, speaks first every round.
    const { api } = stockClient(token, { intervalMs: 2000, pongTimeoutMs: 1000 });
    await api.auth.me.query();
    const [socket] = [...server.hubbub.wss.clients];
    let closed = false;
    let pongs = 0;
    socket?.on('close', () => {
      closed = true;
    });
    socket?.on('message', (data) => {
      if (data.toString() === 'PONG') pongs++;
    });
    // Several ping rounds pass (each answered PONG, each past the 300 ms wait of the one before); the connection stays.
    await until(() => pongs >= 4);
    expect(closed).toBe(false);
    expect((await api.auth.me.query()).handle).toBe('alice');

    const raw = await rawSocket(`${server.wsUrl}?token=${token}`);
    const texts: string[] = [];
    raw.ws.on('message', (data) => texts.push(data.toString()));
    raw.ws.send('PING');
    await until(() => texts.includes('PONG'));
    raw.ws.close();
  });

  it('drops a client that never answers the server PING', async () => {
    server = await startTestServer({ keepAlive: { pingMs: 100, pongWaitMs: 200 } });
    const { token } = await server.signup('alice');
    // A bare socket that says nothing: after ping + pong wait the server terminates it.
    const silent = new WebSocket(`${server.wsUrl}?token=${token}`);
    silent.on('message', () => {}); // reads, but never sends PONG
    const code = await new Promise<number>((resolve) => silent.on('close', (c) => resolve(c)));
    expect(code).toBe(1006);
  });

  it('handles batches, subscription.stop, duplicate ids and unknown procedures by hand-written frames', async () => {
    server = await startTestServer();
    const { token } = await server.signup('alice');
    const channelId = await generalId(token);
    const raw = await rawSocket(`${server.wsUrl}?token=${token}`);
    raw.ws.send(
      JSON.stringify([
        { id: 1, method: 'query', params: { path: 'system.ping', input: null } },
        { id: 2, method: 'query', params: { path: 'auth.me', input: null } },
      ]),
    );
    expect((await raw.frame((f) => f.id === 1)).result).toMatchObject({ type: 'data', data: { pong: true } });
    expect((await raw.frame((f) => f.id === 2)).result).toMatchObject({ data: { handle: 'alice' } });

    const subscribe = JSON.stringify({
      id: 3,
      method: 'subscription',
      params: { path: 'channel.onEvent', input: { channelId } },
    });
    raw.ws.send(subscribe);
    await raw.frame((f) => f.id === 3 && (f.result as { type: string }).type === 'started');
    const presence = await raw.frame((f) => f.id === 3 && (f.result as { type: string }).type === 'data');
    expect((presence.result as { id: string }).id).toMatch(/^.+:\d+$/);
    raw.ws.send(subscribe);
    expect(errorCode(await raw.frame((f) => f.id === 3 && 'error' in f))).toBe('BAD_REQUEST');
    raw.ws.send(JSON.stringify({ id: 3, method: 'subscription.stop' }));
    await raw.frame((f) => f.id === 3 && (f.result as { type?: string } | undefined)?.type === 'stopped');
    await until(() => server?.hubbub.deps.hub.stats.subscriptions === 0);

    raw.ws.send(JSON.stringify({ id: 4, method: 'mutation', params: { path: 'system.ping', input: null } }));
    expect(errorCode(await raw.frame((f) => f.id === 4))).toBeDefined();
    raw.ws.send(JSON.stringify({ id: 5, method: 'query', params: { path: 'nope', input: null } }));
    expect(errorCode(await raw.frame((f) => f.id === 5))).toBe('NOT_FOUND');
    raw.ws.close();
  });
});
