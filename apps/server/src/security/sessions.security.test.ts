/**
 * Attack: a token that cannot be taken back. Logging out, logging out
 * everywhere and revoking an API key end every token and socket of those
 * credentials at once; tokens without an expiry or a session are refused; a
 * session's refresh chain ends at its absolute lifetime.
 */
import { decodeJwt, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { errorCode, rawSocket } from '../test/raw-socket';
import { startChatter } from './alive';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

interface Answer {
  status: number;
  setCookie: string | null;
  body: { result?: { data: Record<string, unknown> }; error?: { message: string; data: { code: string } } };
}

async function call(path: string, opts: { token?: string; cookie?: string; body?: unknown } = {}): Promise<Answer> {
  const isQuery = opts.body === undefined && (path === 'auth.me' || path.startsWith('channel.list'));
  const res = await fetch(`${server.url}/trpc/${path}`, {
    method: isQuery ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
    },
    ...(isQuery ? {} : { body: JSON.stringify(opts.body ?? null) }),
  });
  return { status: res.status, setCookie: res.headers.get('set-cookie'), body: (await res.json()) as Answer['body'] };
}

/** The session cookie from a Set-Cookie header, as a browser would send it back. */
const cookieOf = (setCookie: string | null) => setCookie?.split(';')[0] ?? '';

async function login(handle: string) {
  const answer = await call('auth.login', { body: { handle, password: 'correct horse battery' } });
  const token = answer.body.result?.data.token as string;
  return { token, cookie: cookieOf(answer.setCookie) };
}

describe('sessions can be ended', () => {
  it('logout stops the token over HTTP and closes its sockets at once, and leaves other sessions alone', async () => {
    server = await startTestServer();
    await server.signup('alice');
    const chatter = await startChatter(server);
    const phone = await login('alice');
    const laptop = await login('alice');
    const phoneSocket = await rawSocket(`${server.wsUrl}?token=${phone.token}`);
    const laptopSocket = await rawSocket(`${server.wsUrl}?token=${laptop.token}`);

    const out = await call('auth.logout', { token: phone.token });
    expect(out.body.result?.data).toEqual({ loggedOut: true });
    expect(out.setCookie).toMatch(/hubbub_session=;.*Max-Age=0/i);

    expect(await phoneSocket.closed).toEqual({ code: 4401, reason: 'you logged out' });
    const refused = await call('auth.me', { token: phone.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error?.message).toBe('your session has ended: log in again');
    // Nor can the ended session mint a new token, with its token or its cookie.
    expect((await call('auth.refresh', { token: phone.token })).status).toBe(401);
    expect((await call('auth.refresh', { cookie: phone.cookie })).status).toBe(401);

    expect((await call('auth.me', { token: laptop.token })).status).toBe(200);
    laptopSocket.ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    expect(((await laptopSocket.frame((f) => f.id === 1)).result as { data: { handle: string } }).data.handle).toBe(
      'alice',
    );
    laptopSocket.ws.close();
    await chatter.expectAlive('a logout');
  });

  it('logout everywhere ends every session of the account, and only an admin may end someone else’s', async () => {
    server = await startTestServer();
    const admin = await server.signup('root-admin');
    const alice = await server.signup('alice');
    const second = await login('alice');
    const socket = await rawSocket(`${server.wsUrl}?token=${second.token}`);

    const bob = await server.signup('bob');
    const notYours = await call('auth.logoutAll', { token: bob.token, body: { userId: alice.user.id } });
    expect(notYours.body.error?.data.code).toBe('FORBIDDEN');

    const ended = await call('auth.logoutAll', { token: alice.token, body: null });
    expect(ended.body.result?.data).toEqual({ ended: 2 });
    expect((await socket.closed).code).toBe(4401);
    for (const token of [alice.token, second.token]) expect((await call('auth.me', { token })).status).toBe(401);

    // An admin ends a user's sessions (a stolen laptop).
    const again = await login('alice');
    expect(
      (await call('auth.logoutAll', { token: admin.token, body: { userId: alice.user.id } })).body.result?.data,
    ).toEqual({ ended: 1 });
    expect((await call('auth.me', { token: again.token })).status).toBe(401);
    expect((await call('auth.me', { token: admin.token })).status).toBe(200);
  });

  it('refuses tokens that could never be ended: no expiry, no session, or a session that does not exist', async () => {
    server = await startTestServer();
    const { token, user } = await server.signup('alice');
    const key = new TextEncoder().encode(server.secret);
    const { sid } = decodeJwt(token);
    const forge = (claims: Record<string, unknown>, expires: boolean) => {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(user.id).setIssuer('hubbub');
      return (expires ? jwt.setExpirationTime('1h') : jwt).sign(key);
    };
    const cases = {
      'no expiry': await forge({ sid }, false),
      'no session': await forge({}, true),
      'an unknown session': await forge({ sid: 'f'.repeat(32) }, true),
    };
    for (const [label, forged] of Object.entries(cases)) {
      const answer = await call('auth.me', { token: forged });
      expect(answer.status, label).toBe(401);
      const socket = await rawSocket(`${server.wsUrl}?token=${forged}`);
      expect(errorCode(await socket.frame((f) => f.id === null)), label).toBe('UNAUTHORIZED');
      expect((await socket.closed).code, label).toBe(4401);
    }
  });

  it('bounds the refresh chain by the session’s absolute lifetime', async () => {
    server = await startTestServer({ sessionMaxAgeMs: 4_000, tokenTtlSeconds: 3600 });
    const signup = await call('auth.signup', { body: { handle: 'alice', password: 'correct horse battery' } });
    const grant = signup.body.result?.data as { token: string; expiresAt: string };
    const sessionEnd = Date.parse(grant.expiresAt);
    // The token lives no longer than its session, even with an hour of token lifetime.
    expect(sessionEnd - Date.now()).toBeLessThanOrEqual(4_000);
    const refreshed = await call('auth.refresh', { token: grant.token });
    expect(Date.parse(refreshed.body.result?.data.expiresAt as string)).toBeLessThanOrEqual(sessionEnd);
    const socket = await rawSocket(`${server.wsUrl}?token=${grant.token}`);
    await waitUntilPast(sessionEnd);
    expect((await call('auth.refresh', { token: grant.token })).status).toBe(401);
    expect((await call('auth.refresh', { cookie: cookieOf(signup.setCookie) })).status).toBe(401);
    // A socket opened before the end is ended at its next call.
    socket.ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'auth.me', input: null } }));
    expect(errorCode(await socket.frame((f) => f.id === 1))).toBe('UNAUTHORIZED');
    expect((await socket.closed).code).toBe(4401);
  });
});

describe('the refresh cookie', () => {
  it('is HttpOnly, SameSite=Strict and limited to /trpc, and alone gets a fresh token', async () => {
    server = await startTestServer();
    const signup = await call('auth.signup', { body: { handle: 'alice', password: 'correct horse battery' } });
    expect(signup.setCookie).toMatch(/^hubbub_session=[0-9a-f]{32}\.[\w-]+;/);
    expect(signup.setCookie).toMatch(/HttpOnly/i);
    expect(signup.setCookie).toMatch(/SameSite=Strict/i);
    expect(signup.setCookie).toMatch(/Path=\/trpc/i);
    const refreshed = await call('auth.refresh', { cookie: cookieOf(signup.setCookie) });
    expect(refreshed.status).toBe(200);
    const fresh = refreshed.body.result?.data as { token: string; user: { handle: string } };
    expect(fresh.user.handle).toBe('alice');
    expect((await call('auth.me', { token: fresh.token })).status).toBe(200);
  });

  it('with a forged secret gets nothing, and is cleared', async () => {
    server = await startTestServer();
    const signup = await call('auth.signup', { body: { handle: 'alice', password: 'correct horse battery' } });
    const [name, value] = cookieOf(signup.setCookie).split('=') as [string, string];
    const forged = `${name}=${value.split('.')[0]}.${'A'.repeat(43)}`;
    const answer = await call('auth.refresh', { cookie: forged });
    expect(answer.status).toBe(401);
    expect(answer.setCookie).toMatch(/Max-Age=0/i);
  });
});

/** Resolves once the wall clock is past `at` (a session's end is wall-clock time on the server). */
async function waitUntilPast(at: number): Promise<void> {
  // A sleep, because what is awaited is the passing of time itself; it asserts nothing about durations.
  while (Date.now() <= at) await new Promise((resolve) => setTimeout(resolve, Math.max(10, at - Date.now() + 5)));
}
