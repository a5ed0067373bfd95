/**
 * The HTTP fallback end to end: a client that never opens a WebSocket
 * (`transport: 'http'`: calls over fetch, subscriptions over Server-Sent
 * Events) gets the same events in the same order, resumes with Last-Event-ID
 * across a server restart, and signs in the same ways a browser or a script can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubbubClient, type HubbubClient } from '@hubbub/client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './test/harness';
import { readSse, sseUrl } from './test/sse-reader';
import { recordChannel } from './test/stream';

const WAIT = 20_000;
let servers: TestServer[] = [];
const clients: HubbubClient[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function stop(server: TestServer) {
  servers = servers.filter((s) => s !== server);
  await server.stop({ keepData: true });
}

function httpClient(url: string, token: string, options: Partial<Parameters<typeof createHubbubClient>[0]> = {}) {
  const client = createHubbubClient({ url, token, transport: 'http', ...options });
  clients.push(client);
  return client;
}

async function generalOf(client: HubbubClient) {
  const general = (await client.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no #general');
  return general;
}

const contents = (events: { data: { type: string; message?: unknown } }[]) =>
  events.filter((e) => e.data.type === 'message.created').map((e) => (e.data.message as { content: string }).content);
const offsetOf = (id: string) => Number(id.split(':')[1]);

describe('subscriptions over Server-Sent Events', () => {
  it('a transport "http" client resumes across a restart: every message once, in order, those sent while it was away too', {
    timeout: 60_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-sse-'));
    dirs.push(dataDir);
    const first = await start({ dataDir });
    const { port } = first;
    const { token } = await first.signup('alice');
    const follower = httpClient(first.url, token);
    const general = await generalOf(follower);
    const followed = recordChannel(follower, general.id);
    await followed.until((e) => e.some((x) => x.data.type === 'presence'), WAIT);
    const send = (client: HubbubClient, content: string) =>
      client.api.message.send.mutate({ channelId: general.id, content });

    const writer = httpClient(first.url, token);
    for (const n of [1, 2, 3]) await send(writer, `before ${n}`);
    await followed.until((e) => contents(e).length === 3, WAIT);
    // Nothing here ever opened a WebSocket.
    expect(first.hubbub.wss.clients.size).toBe(0);
    expect(follower.transport()).toBe('http');
    await stop(first);

    // While the follower's port is dark, the same data dir takes messages through another port.
    const elsewhere = await start({ dataDir });
    const away = httpClient(elsewhere.url, token);
    for (const n of [1, 2, 3]) await send(away, `while away ${n}`);
    await stop(elsewhere);

    const back = await start({ dataDir, port });
    const after = httpClient(back.url, token);
    // The follower's EventSource reconnects by itself, sending Last-Event-ID: it gets what it missed, then live.
    await followed.until((e) => contents(e).length === 6, WAIT);
    for (const n of [1, 2, 3]) await send(after, `after ${n}`);
    await followed.until((e) => contents(e).length === 9, WAIT);

    expect(contents(followed.events)).toEqual([
      'before 1',
      'before 2',
      'before 3',
      'while away 1',
      'while away 2',
      'while away 3',
      'after 1',
      'after 2',
      'after 3',
    ]);
    // Stored events carry consecutive offsets: nothing skipped, nothing twice.
    const offsets = followed.changes().map((e) => offsetOf(e.id));
    expect(offsets).toEqual(offsets.map((_, i) => (offsets[0] ?? 0) + i));
    expect(followed.errors).toEqual([]);
    expect(back.hubbub.wss.clients.size).toBe(0);
  });

  it('streams the same events in the same order as the WebSocket', { timeout: 60_000 }, async () => {
    const server = await start();
    const { token } = await server.signup('alice');
    const overSse = httpClient(server.url, token);
    const overWs = server.client(token);
    const general = await generalOf(overWs);
    const anchor = (await overWs.api.message.history.query({ channelId: general.id })).eventId;
    for (const n of [1, 2, 3, 4]) await overWs.api.message.send.mutate({ channelId: general.id, content: `m${n}` });
    const message = (await overWs.api.message.history.query({ channelId: general.id })).items[0];
    if (!message) throw new Error('no message');
    await overWs.api.message.edit.mutate({ messageId: message.id, content: 'm4 (edited)' });
    await overWs.api.message.delete.mutate({ messageId: message.id });

    const a = recordChannel(overSse, general.id, anchor);
    const b = recordChannel(overWs, general.id, anchor);
    const done = (e: { data: { type: string } }[]) => e.some((x) => x.data.type === 'message.deleted');
    await Promise.all([a.until(done, WAIT), b.until(done, WAIT)]);
    const stored = (r: typeof a) => r.changes().map((e) => ({ id: e.id, data: e.data }));
    expect(stored(a)).toEqual(stored(b));
    // (A replay shows each message as it is now: the store folds an edit into what it edited.)
    expect(stored(a).filter((e) => e.data.type === 'message.created')).toHaveLength(3);
    expect(stored(a).at(-1)?.data.type).toBe('message.deleted');
  });

  it('a browser signs its stream in with the session cookie (same origin, subscriptions only); a token in the URL is refused', {
    timeout: 60_000,
  }, async () => {
    const server = await start();
    const signup = await fetch(`${server.url}/trpc/auth.signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'alice', password: 'correct horse battery' }),
    });
    const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { token } = ((await signup.json()) as { result: { data: { token: string } } }).result.data;
    expect(cookie).toMatch(/^hubbub_session=/);
    const general = await generalOf(httpClient(server.url, token));
    const url = sseUrl(server.url, 'channel.onEvent', { channelId: general.id });
    const refusal = (events: { event: string; data: string }[]) => {
      const error = events.find((e) => e.event === 'serialized-error');
      return error ? (JSON.parse(error.data) as { message: string; data: { code: string } }) : null;
    };

    // What a browser's EventSource sends from the app's own page: the cookie and Sec-Fetch-Site.
    const browser = await readSse(url, { cookie, 'sec-fetch-site': 'same-origin' });
    await browser.until((e) => e.some((x) => x.event === 'message'), WAIT);
    expect(browser.messages()[0]?.data.type).toBe('presence');

    // Another site's page: the cookie would not even be sent (SameSite=Strict); if it were, it is not accepted.
    const foreignPages: Record<string, string>[] = [
      { cookie, 'sec-fetch-site': 'cross-site' },
      { cookie, 'sec-fetch-site': 'same-site' },
      { cookie, origin: 'http://evil.example' },
    ];
    for (const headers of foreignPages) {
      const foreign = await readSse(url, headers);
      await foreign.ended;
      expect(refusal(foreign.events)).toMatchObject({ message: 'sign in to do this', data: { code: 'UNAUTHORIZED' } });
    }

    // The cookie signs in subscriptions only: a call with it alone is refused (no CSRF through it).
    const send = await fetch(`${server.url}/trpc/message.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ channelId: general.id, content: 'forged' }),
    });
    expect(send.status).toBe(401);

    // tRPC's connectionParams travel in the URL: a token there is refused, saying where it belongs.
    const inUrl = await readSse(`${url}&connectionParams=${encodeURIComponent(JSON.stringify({ token }))}`);
    await inUrl.ended;
    expect(refusal(inUrl.events)).toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    expect(refusal(inUrl.events)?.message).toMatch(/^send the token in the Authorization header/);

    // Logging out (with the cookie alone, as the web app's other tabs would) ends the cookie's stream too.
    const logout = await fetch(`${server.url}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: 'null',
    });
    expect(logout.status).toBe(200);
    await browser.until((e) => e.some((x) => x.event === 'serialized-error'), WAIT);
    await browser.ended;
    expect(refusal(browser.events)).toMatchObject({ message: 'you logged out', data: { code: 'UNAUTHORIZED' } });
  });

  it('a transport "auto" client whose upgrades are refused falls back to SSE by itself, and carries on', {
    timeout: 60_000,
  }, async () => {
    const server = await start();
    const { token } = await server.signup('alice');
    let refused = 0;
    /** Upgrades go where the server (like a blocking proxy) answers an HTTP error instead of switching protocols. */
    class Refused extends WebSocket {
      constructor(url: string | URL, ...rest: unknown[]) {
        super(String(url).replace(/\/ws(\?|$)/, '/blocked$1'), ...(rest as []));
        refused++;
      }
    }
    const started = Date.now();
    const client = createHubbubClient({
      url: server.url,
      token,
      transport: 'auto',
      WebSocket: Refused as unknown as typeof globalThis.WebSocket,
    });
    clients.push(client);
    const general = await generalOf(client);
    const followed = recordChannel(client, general.id);
    await followed.until((e) => e.some((x) => x.data.type === 'presence'), WAIT);
    expect(client.transport()).toBe('http');
    expect(refused).toBeGreaterThanOrEqual(3);
    // About how long the fallback took (three refused upgrades with backoff, one HTTP probe).
    expect(Date.now() - started).toBeLessThan(WAIT);
    await client.api.message.send.mutate({ channelId: general.id, content: 'sent after the fallback' });
    await followed.until((e) => contents(e).includes('sent after the fallback'), WAIT);
    expect(followed.errors).toEqual([]);
  });
});
