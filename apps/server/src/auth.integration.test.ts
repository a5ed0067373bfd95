import { TRPCClientError } from '@trpc/client';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { errorCode, rawSocket } from './test/raw-socket';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe('authentication', () => {
  it('makes the first account admin and later ones members', async () => {
    server = await startTestServer();
    expect((await server.signup('first')).user.role).toBe('admin');
    expect((await server.signup('second')).user.role).toBe('member');
  });

  it('login answers the same UNAUTHORIZED for an unknown handle and a wrong password', async () => {
    server = await startTestServer();
    await server.signup('carol', 'right password');
    const client = server.client();
    const attempts = [
      client.api.auth.login.mutate({ handle: 'carol', password: 'wrong password' }),
      client.api.auth.login.mutate({ handle: 'nobody', password: 'right password' }),
    ];
    const errors = await Promise.all(attempts.map((p) => p.catch((e: unknown) => e)));
    for (const error of errors) {
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error).toMatchObject({ message: 'wrong handle or password', data: { code: 'UNAUTHORIZED' } });
    }
    const ok = await client.api.auth.login.mutate({ handle: 'Carol', password: 'right password' });
    expect(ok.user.handle).toBe('carol');
  });

  it('protected procedures answer UNAUTHORIZED to anonymous calls over HTTP and WebSocket', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/trpc/channel.list`);
    expect(res.status).toBe(401);
    const anon = server.client(undefined, { allOverWebSocket: true });
    await expect(anon.api.channel.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    // Public procedures still work for the anonymous connection.
    expect((await anon.api.system.ping.query()).pong).toBe(true);
  });

  it('an invalid bearer token over HTTP says why', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('invalid token');
  });

  it('refuses a WebSocket with an invalid token at connect: error frame, then close 4401', async () => {
    server = await startTestServer();
    const viaQuery = await rawSocket(`${server.wsUrl}?token=forged.token.value`);
    const frame = await viaQuery.frame((f) => f.id === null);
    expect(errorCode(frame)).toBe('UNAUTHORIZED');
    expect((await viaQuery.closed).code).toBe(4401);

    const viaParams = await rawSocket(`${server.wsUrl}?connectionParams=1`);
    viaParams.ws.send(JSON.stringify({ method: 'connectionParams', data: { token: 'forged' } }));
    expect(errorCode(await viaParams.frame((f) => f.id === null))).toBe('UNAUTHORIZED');
    expect((await viaParams.closed).code).toBe(4401);
  });

  it('refuses an expired token at connect', async () => {
    server = await startTestServer();
    const { user, token } = await server.signup('dave');
    const { createTokenService } = await import('@hubbub/api');
    const { sid } = decodeJwt(token);
    const expired = await createTokenService(server.secret, -10).issue(user.id, String(sid), Date.now() + 60_000);
    const socket = await rawSocket(`${server.wsUrl}?token=${expired.token}`);
    const frame = await socket.frame((f) => f.id === null);
    expect((frame.error as { message: string }).message).toMatch(/expired/);
    expect((await socket.closed).code).toBe(4401);
  });

  it('a token from ?token= authenticates raw clients', async () => {
    server = await startTestServer();
    const { token } = await server.signup('erin');
    const socket = await rawSocket(`${server.wsUrl}?token=${token}`);
    socket.ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    const reply = await socket.frame((f) => f.id === 1);
    expect((reply.result as { data: { handle: string } }).data.handle).toBe('erin');
    socket.ws.close();
  });

  it('refreshes a token', async () => {
    server = await startTestServer();
    const { token } = await server.signup('frank');
    const res = await post(`${server.url}/trpc/auth.refresh`, null, token);
    const fresh = ((await res.json()) as { result: { data: { token: string } } }).result.data.token;
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(((await me.json()) as { result: { data: { handle: string } } }).result.data.handle).toBe('frank');
  });

  it('refreshes from a POST with no body at all, as a browser sends one', async () => {
    server = await startTestServer();
    const { token } = await server.signup('fay');
    const res = await fetch(`${server.url}/trpc/auth.refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { data: { user: { handle: string } } } }).result.data.user.handle).toBe(
      'fay',
    );
  });

  it('never writes a token or a password to the log', async () => {
    const lines: string[] = [];
    server = await startTestServer({ logTo: { write: (line) => lines.push(line) } });
    const { token } = await server.signup('gina', 'a secret password');
    await server.client().api.auth.login.mutate({ handle: 'gina', password: 'a secret password' });
    const good = await rawSocket(`${server.wsUrl}?token=${token}`);
    good.ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    await good.frame((f) => f.id === 1);
    good.ws.close();
    const bad = await rawSocket(`${server.wsUrl}?token=${token}tampered`);
    await bad.closed;
    const log = lines.join('');
    expect(log).toContain('ws connected');
    expect(log).toContain('auth failure');
    expect(log).not.toContain(token.slice(20));
    expect(log).not.toContain('a secret password');
  });
});
