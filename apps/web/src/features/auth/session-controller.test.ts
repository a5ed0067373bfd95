import type { User } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { asSentence, errorCode, errorMessage } from '../../lib/errors';
import {
  type AuthApi,
  ENDED_EVERYWHERE_NOTICE,
  type Grant,
  LOGGED_OUT_NOTICE,
  REASON_GRACE_MS,
  SessionController,
  type TabMessage,
} from './session-controller';

const S = 1000;
const LIFE = 3 * S;

/** A clock the test moves; timers run when it passes their moment, never by waiting. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimeout(run: () => void, ms: number) {
      const id = nextId++;
      timers.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    },
    /** Time passes with no timer running: a closed laptop lid, a frozen background tab. */
    jump(ms: number) {
      now += ms;
    },
  };
}

/** Lets promise callbacks (the fake server's answers) run: not a wait for time. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const refusal = (message = 'your session has ended: log in again') => ({ message, data: { code: 'UNAUTHORIZED' } });
const networkDown = () => new TypeError('Failed to fetch');

const user = (id: string, patch: Partial<User> = {}): User =>
  ({ id, handle: id, displayName: id, role: 'member', createdAt: '2024-01-01T00:00:00.000Z', ...patch }) as User;

function setup(options: { hint?: boolean | null } = {}) {
  const clock = manualClock();
  const hint = { value: options.hint ?? null };
  let minted = 0;
  const grant = (who: User, lifeMs = LIFE): Grant => ({
    token: `token-${++minted}`,
    expiresAt: new Date(clock.now() + lifeMs).toISOString(),
    user: who,
  });
  /** The server's next answers to auth.refresh, in order: a grant, or an error to throw. */
  const answers: (Grant | (() => unknown))[] = [];
  const calls: { call: string; bearer: string | null }[] = [];
  const api: AuthApi = {
    async refresh(bearer) {
      calls.push({ call: 'refresh', bearer });
      const next = answers.shift();
      if (!next) throw new Error('test: no answer scripted for auth.refresh');
      if (typeof next === 'function') throw next();
      return next;
    },
    async logout(bearer) {
      calls.push({ call: 'logout', bearer });
    },
    async logoutAll(bearer) {
      calls.push({ call: 'logoutAll', bearer });
    },
  };
  const announced: TabMessage[] = [];
  const session = new SessionController({
    api,
    clock,
    announce: (message) => announced.push(message),
    isRefusal: (error) => errorCode(error) === 'UNAUTHORIZED',
    describe: (error) => asSentence(errorMessage(error)),
    hint: { read: () => hint.value, write: (signedIn) => (hint.value = signedIn) },
  });
  const refreshes = () => calls.filter((c) => c.call === 'refresh').map((c) => c.bearer);
  return { clock, grant, answers, calls, refreshes, announced, session, api, hint };
}

const alice = user('alice');
const bob = user('bob');

describe('starting', () => {
  it('asks the cookie (no bearer) and signs in whoever it names', async () => {
    const { session, answers, grant, refreshes } = setup();
    expect(session.view.get()).toEqual({ status: 'starting', error: null });
    answers.push(grant(alice));
    await session.start();
    expect(refreshes()).toEqual([null]);
    expect(session.view.get()).toEqual({ status: 'signed-in', user: alice });
    expect(session.token()).toBe('token-1');
  });

  it('shows the login screen with no notice when nobody is signed in', async () => {
    const { session, answers } = setup();
    answers.push(() => refusal());
    await session.start();
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: null });
    expect(session.token()).toBeNull();
  });

  it('skips the question in a browser that was signed out when last seen, and remembers each answer', async () => {
    const never = setup({ hint: false });
    await never.session.start();
    expect(never.refreshes()).toEqual([]);
    expect(never.session.view.get()).toEqual({ status: 'signed-out', notice: null });

    const { session, answers, grant, hint, clock } = setup({ hint: true });
    answers.push(grant(alice));
    await session.start();
    expect(hint.value).toBe(true);
    answers.push(() => refusal());
    const ended = session.refresh();
    await settle();
    clock.advance(REASON_GRACE_MS);
    expect(await ended).toBe('ended');
    expect(hint.value).toBe(false);
  });

  it('stays on the splash with the reason when the server cannot be reached, and asks again on wake', async () => {
    const { session, answers, grant } = setup();
    answers.push(networkDown);
    await session.start();
    expect(session.view.get()).toEqual({
      status: 'starting',
      error: 'Could not reach the server. Check your connection and try again.',
    });
    answers.push(grant(alice));
    session.wake();
    await settle();
    expect(session.view.get()).toEqual({ status: 'signed-in', user: alice });
  });
});

describe('silent renewal', () => {
  it('renews at the scheduled moment with the current token, again and again', async () => {
    const { session, answers, grant, refreshes, clock } = setup();
    session.signIn(grant(alice));
    clock.advance(1.5 * S - 1);
    expect(refreshes()).toEqual([]);
    answers.push(grant(alice));
    clock.advance(1);
    await settle();
    expect(refreshes()).toEqual(['token-1']);
    expect(session.token()).toBe('token-2');
    answers.push(grant(alice));
    clock.advance(1.5 * S);
    await settle();
    expect(refreshes()).toEqual(['token-1', 'token-2']);
    expect(session.token()).toBe('token-3');
  });

  it('changes nothing React sees when the same person comes back', async () => {
    const { session, answers, grant } = setup();
    session.signIn(grant(alice));
    const before = session.view.get();
    let renders = 0;
    session.view.subscribe(() => renders++);
    answers.push(grant(alice));
    expect(await session.refresh()).toBe('refreshed');
    expect(session.view.get()).toBe(before);
    expect(renders).toBe(0);
    // A new display name is news, though.
    answers.push(grant(user('alice', { displayName: 'Alice A.' })));
    await session.refresh();
    expect(session.view.get()).toEqual({ status: 'signed-in', user: user('alice', { displayName: 'Alice A.' }) });
  });

  it('shares one request between callers that ask at the same time', async () => {
    const { session, answers, grant, refreshes } = setup();
    session.signIn(grant(alice));
    answers.push(grant(alice));
    const outcomes = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(outcomes).toEqual(['refreshed', 'refreshed', 'refreshed']);
    expect(refreshes()).toEqual(['token-1']);
  });

  it('keeps the token when the server is unreachable and tries again after a backoff', async () => {
    const { session, answers, grant, refreshes, clock } = setup();
    session.signIn(grant(alice, 3600 * S));
    answers.push(networkDown);
    expect(await session.refresh()).toBe('unreachable');
    expect(session.token()).toBe('token-1');
    expect(session.view.get().status).toBe('signed-in');
    answers.push(grant(alice, 3600 * S));
    clock.advance(2 * S - 1);
    expect(refreshes()).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(refreshes()).toEqual(['token-1', 'token-1']);
    expect(session.token()).toBe('token-2');
  });

  it('signs out with the server’s reason when the session is over', async () => {
    const { session, answers, grant, clock } = setup();
    session.signIn(grant(alice));
    answers.push(() => refusal());
    const ended = session.refresh();
    await settle();
    // It waits a moment for the socket's reason; none came, so the refusal's own words.
    expect(session.view.get().status).toBe('signed-in');
    clock.advance(REASON_GRACE_MS);
    expect(await ended).toBe('ended');
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: 'Your session has ended: log in again.' });
    expect(session.token()).toBeNull();
  });

  it('a call refused just before the socket closes signs out with the socket’s reason, not a later generic one', async () => {
    const { session, answers, grant, clock } = setup();
    session.signIn(grant(alice));
    const access = session.accessFor('alice');
    answers.push(() => refusal());
    const ended = session.refresh();
    await settle();
    access.socketRefused('every session of this account was ended');
    // The reconnect that follows is refused too, in plain words: the first reason stands.
    access.socketRefused('your session has ended: log in again');
    clock.advance(REASON_GRACE_MS);
    expect(await ended).toBe('ended');
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: 'Every session of this account was ended.' });
  });

  it('renews on wake only when the timer’s moment has passed (a tab that slept)', async () => {
    const { session, answers, grant, refreshes, clock } = setup();
    session.signIn(grant(alice, 24 * 3600 * S));
    session.wake();
    expect(refreshes()).toEqual([]);
    // A laptop lid closed for a day: the timer did not run, the clock moved on.
    answers.push(grant(alice));
    clock.jump(30 * 3600 * S);
    session.wake();
    await settle();
    expect(refreshes()).toEqual(['token-1']);
    expect(session.token()).toBe('token-2');
  });

  it('ignores an answer that arrives after the person logged out', async () => {
    const { session, answers, grant, api } = setup();
    session.signIn(grant(alice));
    let answer!: (g: Grant) => void;
    api.refresh = () => new Promise<Grant>((resolve) => (answer = resolve));
    const pending = session.refresh();
    await session.logout();
    answer(grant(alice));
    expect(await pending).toBe('stale');
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: null });
    expect(session.token()).toBeNull();
    expect(answers).toEqual([]);
  });
});

describe('what the clients use', () => {
  it('a refused call: retries with a token someone else already renewed, else renews once', async () => {
    const { session, answers, grant, refreshes } = setup();
    session.signIn(grant(alice));
    const access = session.accessFor('alice');
    expect(access).toBe(session.accessFor('alice'));
    answers.push(grant(alice));
    expect(await access.recover('token-1')).toBe(true);
    expect(access.token()).toBe('token-2');
    // A call that went out with token-1 and came back after the renewal: no second request.
    expect(await access.recover('token-1')).toBe(true);
    expect(refreshes()).toEqual(['token-1']);
  });

  it('never retries for someone who is no longer signed in, even when the cookie now names another person', async () => {
    const { session, answers, grant } = setup();
    session.signIn(grant(alice));
    const access = session.accessFor('alice');
    answers.push(grant(bob));
    expect(await access.recover('token-1')).toBe(false);
    expect(session.view.get()).toEqual({ status: 'signed-in', user: bob });
    // Alice's clients must not send with Bob's token while they are being taken down.
    expect(access.token()).toBeNull();
    expect(await access.freshToken()).toBeNull();
    expect(session.accessFor('bob').token()).toBe('token-2');
  });

  it('a socket about to connect gets a renewed token when the current one expired', async () => {
    const { session, answers, grant, clock, refreshes } = setup();
    session.signIn(grant(alice));
    const access = session.accessFor('alice');
    expect(await access.freshToken()).toBe('token-1');
    clock.jump(LIFE);
    answers.push(grant(alice));
    expect(await access.freshToken()).toBe('token-2');
    expect(refreshes()).toEqual(['token-1']);
  });

  it('a socket refused with 4401: renews when the session lives on, signs out with the close reason when not', async () => {
    const { session, answers, grant } = setup();
    session.signIn(grant(alice));
    const access = session.accessFor('alice');
    answers.push(grant(alice));
    access.socketRefused('token expired: log in again');
    await settle();
    expect(session.view.get().status).toBe('signed-in');
    expect(access.token()).toBe('token-2');

    answers.push(() => refusal());
    access.socketRefused('you logged out');
    await settle();
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: 'You logged out.' });
  });
});

describe('logging out and other tabs', () => {
  it('logout ends the session on the server first, then here, and tells the other tabs', async () => {
    const { session, grant, calls, announced } = setup();
    session.signIn(grant(alice));
    expect(announced).toEqual([{ type: 'signed-in', userId: 'alice' }]);
    await session.logout();
    expect(calls).toEqual([{ call: 'logout', bearer: 'token-1' }]);
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: null });
    expect(announced.at(-1)).toEqual({ type: 'signed-out', userId: 'alice', notice: LOGGED_OUT_NOTICE });
  });

  it('a logout the server never heard keeps the person signed in (the caller says so)', async () => {
    const { session, grant, api } = setup();
    session.signIn(grant(alice));
    api.logout = () => Promise.reject(networkDown());
    await expect(session.logout()).rejects.toThrow('Failed to fetch');
    expect(session.view.get().status).toBe('signed-in');
    expect(session.token()).toBe('token-1');
  });

  it('log out everywhere ends every session and says so here and in the other tabs', async () => {
    const { session, grant, calls, announced } = setup();
    session.signIn(grant(alice));
    await session.logoutEverywhere();
    expect(calls).toEqual([{ call: 'logoutAll', bearer: 'token-1' }]);
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: ENDED_EVERYWHERE_NOTICE });
    expect(announced.at(-1)).toEqual({ type: 'signed-out', userId: 'alice', notice: ENDED_EVERYWHERE_NOTICE });
  });

  it('another tab logging out signs this one out with its notice; someone else’s logout is not ours', () => {
    const { session, grant } = setup();
    session.signIn(grant(alice));
    session.onTabMessage({ type: 'signed-out', userId: 'bob', notice: LOGGED_OUT_NOTICE });
    expect(session.view.get().status).toBe('signed-in');
    session.onTabMessage({ type: 'signed-out', userId: 'alice', notice: LOGGED_OUT_NOTICE });
    expect(session.view.get()).toEqual({ status: 'signed-out', notice: LOGGED_OUT_NOTICE });
  });

  it('another tab signing in signs in a tab on the login screen, from the cookie', async () => {
    const { session, answers, grant, refreshes } = setup();
    answers.push(() => refusal());
    await session.start();
    answers.push(grant(alice));
    session.onTabMessage({ type: 'signed-in', userId: 'alice' });
    await settle();
    expect(refreshes()).toEqual([null, null]);
    expect(session.view.get()).toEqual({ status: 'signed-in', user: alice });
    // Already signed in: nothing to ask.
    session.onTabMessage({ type: 'signed-in', userId: 'alice' });
    expect(refreshes()).toHaveLength(2);
  });
});
