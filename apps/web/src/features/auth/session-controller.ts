import type { User } from '@hubbub/core';
import { createStore } from '../../lib/store';
import { type HeldToken, refreshDelayMs, retryDelayMs, tokenState } from '../../lib/token-refresh';

/** What auth.login, auth.signup and auth.refresh answer. */
export interface Grant {
  token: string;
  /** ISO time after which the server refuses the token. */
  expiresAt: string;
  user: User;
}

/** The auth calls the session makes itself, outside any React tree (plain HTTP, the cookie rides along). */
export interface AuthApi {
  /** auth.refresh, presenting `bearer` when there is one (else the cookie alone speaks). */
  refresh(bearer: string | null): Promise<Grant>;
  logout(bearer: string | null): Promise<unknown>;
  logoutAll(bearer: string): Promise<unknown>;
}

export interface SessionClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What one tab tells this browser's other tabs. */
export type TabMessage =
  | { type: 'signed-in'; userId: string }
  | { type: 'signed-out'; userId: string; notice: string | null };

export type SessionView =
  /** Asking the server (the cookie) whether someone is signed in; `error` when it could not be reached. */
  | { status: 'starting'; error: string | null }
  | { status: 'signed-out'; notice: string | null }
  | { status: 'signed-in'; user: User };

/**
 * - `refreshed`: a new token for the same person;
 * - `switched`: the cookie now belongs to someone else (they signed in in another tab): a new person;
 * - `ended`: the server refused: the session is over and this tab is signed out;
 * - `unreachable`: the request failed: the old token is kept and a retry is scheduled;
 * - `stale`: nobody is signed in any more, or a sign-in or sign-out happened while it was asked.
 */
export type RefreshOutcome = 'refreshed' | 'switched' | 'ended' | 'unreachable' | 'stale';

/** What the clients of one signed-in person use: every method is a no-op once that person is gone. */
export interface SessionAccess {
  /** The current access token (read on every request: a refresh changes no client). */
  token(): string | null;
  /** A token that has not expired (refreshing first if needed), for a socket that is about to connect. */
  freshToken(): Promise<string | null>;
  /** After `sentWith` was refused: whether a newer token for the same person is ready (refreshing if needed). */
  recover(sentWith: string): Promise<boolean>;
  /** The server closed the socket with 4401: refresh, or sign out with `reason`. */
  socketRefused(reason: string): void;
}

export interface SessionDeps {
  api: AuthApi;
  clock: SessionClock;
  /** Posts to this browser's other tabs (BroadcastChannel); absent where there is none. */
  announce?(message: TabMessage): void;
  /** Whether an error is the server's "no" (UNAUTHORIZED), as opposed to a failure to ask. */
  isRefusal(error: unknown): boolean;
  /** A sentence for an error or a close reason, shown on the login screen. */
  describe(error: unknown): string;
  /**
   * Whether this browser was signed in when last seen (a flag, never a
   * secret; null when unknown): a visitor who never signed in gets the login
   * screen at once, without a request the server can only refuse.
   */
  hint?: { read(): boolean | null; write(signedIn: boolean): void };
}

/** The notices other tabs show when this one logs out (the same words as the server's close reasons). */
export const LOGGED_OUT_NOTICE = 'You logged out.';
export const ENDED_EVERYWHERE_NOTICE = 'Every session of this account was ended.';

interface Held extends HeldToken {
  token: string;
  userId: string;
}

/** Timers cannot wait longer than this (about 24.8 days); a longer wait fires early and reschedules. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const sameUser = (a: User, b: User) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The browser's sign-in. The access token lives in memory only; the session
 * cookie (HttpOnly, set by the server) renews it: on load, before it expires,
 * when the tab wakes, and when a call or the socket is refused. The React
 * tree sees `view` (who is signed in), never the token, so a renewal
 * re-renders and rebuilds nothing.
 */
/** How long a refused refresh waits for the socket's reason before signing out with its own words. */
export const REASON_GRACE_MS = 500;

export class SessionController {
  readonly view = createStore<SessionView>({ status: 'starting', error: null });
  private held: Held | null = null;
  private timer: unknown = null;
  private refreshing: Promise<RefreshOutcome> | null = null;
  private failures = 0;
  /** Why the socket was refused, if that is what asked for the refresh: the notice if the session is over. */
  private refusalReason: string | null = null;
  /** Bumped by every change of person: an answer that arrives after one belongs to a session that is gone. */
  private generation = 0;
  private access: { userId: string; access: SessionAccess } | null = null;

  constructor(private readonly deps: SessionDeps) {}

  token(): string | null {
    return this.held?.token ?? null;
  }

  /**
   * On load, or when another tab signed in: the cookie says whether someone
   * is signed in here. `trustHint`: false when another tab just said so.
   */
  async start(trustHint = true): Promise<void> {
    if (this.held) return;
    const generation = this.generation;
    const view = this.view.get();
    if (trustHint && this.deps.hint?.read() === false) {
      if (view.status === 'starting') this.view.set({ status: 'signed-out', notice: null });
      return;
    }
    if (view.status === 'starting' && view.error) this.view.set({ status: 'starting', error: null });
    try {
      const grant = await this.deps.api.refresh(null);
      if (generation === this.generation && !this.held) this.accept(grant);
    } catch (error) {
      if (generation !== this.generation || this.held) return;
      // Nobody is signed in: no notice (a first visit looks exactly like this).
      if (this.deps.isRefusal(error)) {
        this.deps.hint?.write(false);
        if (this.view.get().status === 'starting') this.view.set({ status: 'signed-out', notice: null });
      } else if (this.view.get().status === 'starting') {
        this.view.set({ status: 'starting', error: this.deps.describe(error) });
      }
    }
  }

  /** After login or signup in this tab. */
  signIn(grant: Grant): void {
    this.newPerson();
    this.accept(grant);
    this.deps.announce?.({ type: 'signed-in', userId: grant.user.id });
  }

  /** Ends the session on the server (its tokens, its cookie, its sockets), then here; throws if the server was not reached. */
  async logout(): Promise<void> {
    const held = this.held;
    if (!held) return;
    await this.deps.api.logout(held.token);
    this.end(null);
    this.deps.announce?.({ type: 'signed-out', userId: held.userId, notice: LOGGED_OUT_NOTICE });
  }

  /** Ends every session of this person (every browser, every device). */
  async logoutEverywhere(): Promise<void> {
    const held = this.held;
    const token = await this.freshToken(held?.userId ?? null);
    if (!held || !token) return;
    await this.deps.api.logoutAll(token);
    this.end(ENDED_EVERYWHERE_NOTICE);
    this.deps.announce?.({ type: 'signed-out', userId: held.userId, notice: ENDED_EVERYWHERE_NOTICE });
  }

  /** A new token; concurrent callers share one request. */
  refresh(): Promise<RefreshOutcome> {
    if (!this.refreshing) {
      const running = this.runRefresh().finally(() => {
        if (this.refreshing === running) this.refreshing = null;
      });
      this.refreshing = running;
    }
    return this.refreshing;
  }

  /** The tab became visible, got focus or came back online: a timer may have slept through its moment. */
  wake(): void {
    const held = this.held;
    if (held) {
      if (tokenState(this.deps.clock.now(), held) !== 'fresh') void this.refresh();
      return;
    }
    // The first question never reached the server: ask again now that we may be back.
    const view = this.view.get();
    if (view.status === 'starting' && view.error) void this.start();
  }

  /** A message from another tab of this browser. */
  onTabMessage(message: TabMessage): void {
    if (message.type === 'signed-in') {
      if (!this.held) void this.start(false);
    } else if (this.held?.userId === message.userId) {
      this.end(message.notice);
    }
  }

  /** The clients' view of the session, bound to one person (the same object while that person stays). */
  accessFor(userId: string): SessionAccess {
    if (this.access?.userId === userId) return this.access.access;
    const access: SessionAccess = {
      token: () => (this.held?.userId === userId ? this.held.token : null),
      freshToken: () => this.freshToken(userId),
      recover: (sentWith) => this.recover(userId, sentWith),
      socketRefused: (reason) => this.socketRefused(userId, reason),
    };
    this.access = { userId, access };
    return access;
  }

  /** Signs this tab out without asking the server (it already said the session is over). */
  end(notice: string | null): void {
    this.newPerson();
    this.deps.hint?.write(false);
    this.view.set({ status: 'signed-out', notice });
  }

  private async freshToken(userId: string | null): Promise<string | null> {
    const held = this.held;
    if (!held || held.userId !== userId) return null;
    if (tokenState(this.deps.clock.now(), held) === 'expired') await this.refresh();
    return this.held?.userId === userId ? this.held.token : null;
  }

  private async recover(userId: string, sentWith: string): Promise<boolean> {
    const held = this.held;
    if (!held || held.userId !== userId) return false;
    // Someone refreshed while this call was out: try again with that token.
    if (held.token !== sentWith) return true;
    return (await this.refresh()) === 'refreshed';
  }

  private socketRefused(userId: string, reason: string): void {
    if (this.held?.userId !== userId) return;
    // The first reason stands: a reconnect refused afterwards only says the session is gone, not why.
    this.refusalReason ??= reason ? this.deps.describe({ message: reason }) : null;
    void this.refresh();
  }

  private async runRefresh(): Promise<RefreshOutcome> {
    const held = this.held;
    if (!held) return 'stale';
    const generation = this.generation;
    try {
      const grant = await this.deps.api.refresh(held.token);
      if (generation !== this.generation) return 'stale';
      // The cookie belongs to someone else now: a new person, never a retry on the old one's behalf.
      const switched = grant.user.id !== held.userId;
      if (switched) this.newPerson();
      this.accept(grant);
      return switched ? 'switched' : 'refreshed';
    } catch (error) {
      if (generation !== this.generation) return 'stale';
      if (this.deps.isRefusal(error)) {
        // A call found the session over; the socket's close, which says why, may be a moment behind it.
        if (!this.refusalReason) {
          await new Promise<void>((resolve) => this.deps.clock.setTimeout(resolve, REASON_GRACE_MS));
        }
        if (generation !== this.generation) return 'stale';
        this.end(this.refusalReason ?? this.deps.describe(error));
        return 'ended';
      }
      // Offline or the server is restarting: keep the token (it may still be good) and ask again soon.
      this.failures++;
      this.schedule(retryDelayMs(this.failures, held, this.deps.clock.now()));
      return 'unreachable';
    }
  }

  private accept(grant: Grant): void {
    const now = this.deps.clock.now();
    this.held = { token: grant.token, userId: grant.user.id, receivedAt: now, expiresAt: Date.parse(grant.expiresAt) };
    this.failures = 0;
    this.refusalReason = null;
    this.deps.hint?.write(true);
    this.schedule();
    const view = this.view.get();
    // Same person, same details: nothing for React to do.
    if (view.status !== 'signed-in' || !sameUser(view.user, grant.user)) {
      this.view.set({ status: 'signed-in', user: grant.user });
    }
  }

  /** Forgets the current person: their token, their timer, and any answer still on its way. */
  private newPerson(): void {
    this.generation++;
    this.held = null;
    this.refreshing = null;
    this.refusalReason = null;
    this.failures = 0;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs?: number): void {
    const held = this.held;
    this.deps.clock.clearTimeout(this.timer);
    if (!held) return;
    const wait = delayMs ?? refreshDelayMs(this.deps.clock.now(), held);
    this.timer = this.deps.clock.setTimeout(
      () => {
        this.timer = null;
        // A wait longer than a timer can hold fires early: look again rather than refresh.
        if (wait > MAX_TIMER_MS) this.schedule();
        else void this.refresh();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }
}
