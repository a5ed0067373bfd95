import type { AppDeps, Connection, Context } from '@hubbub/api';
import { CLOSE_CODES, type ControlCommand, isSessionLive } from '@hubbub/core';
import type { WebSocket, WebSocketServer } from 'ws';

type EndCredentials = Extract<ControlCommand, { type: 'end-credentials' }>;

/** Something open on behalf of a signed-in caller that must end with its credentials. */
interface Held {
  ctx: Context;
  close(reason: string): void;
}

/**
 * Keeps open WebSockets and Server-Sent Events streams honest about who they
 * are. Each is authenticated once, when it opens; afterwards its session can
 * be ended, its API key revoked, or its session can reach its absolute end.
 * Each of these closes the socket with 4401 (do not reconnect with these
 * credentials) and a reason; an SSE stream ends with an UNAUTHORIZED error
 * carrying the same reason.
 */
export function createCredentialGuard(wss: WebSocketServer, deps: AppDeps) {
  const contexts = new WeakMap<WebSocket, Context>();
  const signInDeadlines = new WeakMap<WebSocket, NodeJS.Timeout>();
  const streams = new Set<Held>();
  const close = (ws: WebSocket, reason: string) => ws.close(CLOSE_CODES.unauthorized, reason);
  /** Every signed-in socket and stream, as one list. */
  const held = (): Held[] => {
    const all = [...streams];
    for (const ws of wss.clients) {
      const ctx = contexts.get(ws);
      if (ctx) all.push({ ctx, close: (reason) => close(ws, reason) });
    }
    return all;
  };

  return {
    /**
     * A new socket must sign in (a valid token at connect) within `ms`: an
     * anonymous socket, or one that never sends its connection params, is
     * closed then instead of holding a slot for nothing.
     */
    expectSignIn(ws: WebSocket, ms: number): void {
      // No close listener to clear it (a listener per socket is memory per socket): a socket gone by then is left alone.
      const deadline = setTimeout(() => {
        signInDeadlines.delete(ws);
        if (contexts.has(ws) || ws.readyState !== ws.OPEN) return;
        close(ws, `sign in within ${Math.round(ms / 1000)} s: send a token when the socket opens`);
      }, ms);
      signInDeadlines.set(ws, deadline);
    },

    /** Remembers what a socket authenticated as (sockets without a user need no guarding). */
    track(ws: WebSocket, ctx: Context): void {
      if (!ctx.user) return;
      contexts.set(ws, ctx);
      clearTimeout(signInDeadlines.get(ws));
      signInDeadlines.delete(ws);
    },

    /** Remembers a signed-in SSE stream until `untrack` (its connection ends it with 4401 and the reason). */
    trackStream(ctx: Context, connection: Connection): () => void {
      if (!ctx.user) return () => {};
      const entry: Held = { ctx, close: (reason) => connection.close(CLOSE_CODES.unauthorized, reason) };
      streams.add(entry);
      return () => streams.delete(entry);
    },

    /** An instance ended sessions or revoked keys (this one or another: it comes over the bus). */
    end(command: EndCredentials): number {
      const sessions = new Set(command.sessionIds);
      const keys = new Set(command.apiKeyIds);
      let closed = 0;
      for (const { ctx, close } of held()) {
        if ((ctx.sessionId && sessions.has(ctx.sessionId)) || (ctx.apiKeyId && keys.has(ctx.apiKeyId))) {
          close(command.reason);
          closed++;
        }
      }
      return closed;
    },

    /** Closes sockets and streams whose session reached its absolute end (run now and then). */
    closeExpired(now: number): number {
      let closed = 0;
      for (const { ctx, close } of held()) {
        if (ctx.sessionExpiresAt != null && now >= ctx.sessionExpiresAt) {
          close('your session has ended: log in again');
          closed++;
        }
      }
      return closed;
    },

    /**
     * Checks every socket's and stream's credentials against the store again: after
     * the bus came back, revocations published while it was down were missed here.
     */
    async recheckAll(): Promise<number> {
      let closed = 0;
      for (const { ctx, close } of held()) {
        if (!(await stillValid(deps, ctx))) {
          close(ctx.apiKeyId ? 'this API key was revoked' : 'your session has ended: log in again');
          closed++;
        }
      }
      return closed;
    },
  };
}

async function stillValid(deps: AppDeps, ctx: Context): Promise<boolean> {
  if (ctx.apiKeyId) {
    const key = await deps.stores.apiKeys.byIdWithSecret(ctx.apiKeyId);
    return Boolean(key && !key.revokedAt);
  }
  if (ctx.sessionId) {
    const session = await deps.stores.sessions.byIdWithSecret(ctx.sessionId);
    return Boolean(session && isSessionLive(session, deps.clock.now()));
  }
  return true;
}

export type CredentialGuard = ReturnType<typeof createCredentialGuard>;
