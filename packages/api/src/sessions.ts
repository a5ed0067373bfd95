import { randomBytes } from 'node:crypto';
import { CONTROL_TOPIC } from '@hubbub/assistant';
import { AppError, type User } from '@hubbub/core';
import { hashSecret } from './api-keys';
import { type AppDeps, type Context, sessionFromCookie } from './context';

/**
 * Sign-in sessions. Logging in starts a session (a row with an absolute end)
 * and answers a short-lived user token that names it; in a browser it also
 * sets an HttpOnly cookie holding the session's refresh secret, so the page
 * keeps its token in memory only and gets a new one from the cookie. Ending
 * a session ends every token minted for it, at once, on every instance.
 */

export interface Grant {
  token: string;
  /** When the token stops working (ms epoch): refresh before. */
  expiresAt: number;
}

const newSessionId = () => randomBytes(16).toString('hex');

/** Starts a session for someone who just proved who they are (signup, login). */
export async function startSession(ctx: Context, user: User): Promise<Grant> {
  const { deps } = ctx;
  const id = newSessionId();
  const secret = randomBytes(32).toString('base64url');
  // Whole seconds, like a token's expiry: the last token of a session ends exactly with it.
  const endsAt = Math.floor((deps.clock.now() + deps.sessionMaxAgeMs) / 1000) * 1000;
  await deps.stores.sessions.create({
    id,
    userId: user.id,
    secretHash: hashSecret(secret),
    expiresAt: new Date(endsAt).toISOString(),
  });
  ctx.http?.setSessionCookie(`${id}.${secret}`, deps.sessionMaxAgeMs);
  return deps.tokens.issue(user.id, id, endsAt);
}

/**
 * A new token for the caller's session: from a valid user token (scripts), or
 * from the browser's cookie (a page that was reloaded or slept past its token).
 * API keys are refused: a key never expires, and a token minted from one
 * would outlive its revocation.
 */
export async function refreshSession(ctx: Context): Promise<Grant & { user: User }> {
  const { deps } = ctx;
  if (ctx.apiKeyId) {
    throw new AppError('BAD_REQUEST', 'an API key does not expire and cannot be exchanged for a token: use the key');
  }
  if (ctx.user && ctx.sessionId && ctx.sessionExpiresAt !== null) {
    return { ...(await deps.tokens.issue(ctx.user.id, ctx.sessionId, ctx.sessionExpiresAt)), user: ctx.user };
  }
  const found = await sessionFromCookie(deps, ctx.http?.sessionCookie ?? null);
  if (!found) {
    if (ctx.http?.sessionCookie) ctx.http.setSessionCookie(null);
    throw new AppError('UNAUTHORIZED', ctx.authError ?? 'your session has ended: log in again');
  }
  const { session, user } = found;
  return { ...(await deps.tokens.issue(user.id, session.id, Date.parse(session.expiresAt))), user };
}

/** Ends the caller's session (its token, its cookie); harmless when there is none. */
export async function endSession(ctx: Context): Promise<void> {
  const { deps } = ctx;
  const id = ctx.sessionId ?? (await sessionFromCookie(deps, ctx.http?.sessionCookie ?? null))?.session.id ?? null;
  ctx.http?.setSessionCookie(null);
  if (!id) return;
  await deps.stores.sessions.revoke(id, new Date(deps.clock.now()).toISOString());
  await endCredentials(deps, { sessionIds: [id], reason: 'you logged out' });
}

/** Ends every session of `userId` (logout everywhere); returns how many were live. */
export async function endAllSessions(deps: AppDeps, userId: string, reason: string): Promise<number> {
  const ids = await deps.stores.sessions.revokeAllOf(userId, new Date(deps.clock.now()).toISOString());
  await endCredentials(deps, { sessionIds: ids, reason });
  // A browser signed out everywhere gets no more pushes: its subscription outlived the session that made it.
  const notifications = deps.stores.notifications;
  for (const { endpoint } of await notifications.subscriptionsOf(userId)) {
    await notifications.removeSubscription(endpoint, userId);
  }
  return ids.length;
}

/**
 * Tells every instance to close the connections of these sessions or keys
 * (close 4401 with `reason`). The revocation is already stored: an instance
 * that misses this (the bus was down) re-checks its connections when the bus
 * is back, and every new call or connection checks the store.
 */
export async function endCredentials(
  deps: AppDeps,
  ended: { sessionIds?: string[]; apiKeyIds?: string[]; reason: string },
): Promise<void> {
  const sessionIds = ended.sessionIds ?? [];
  const apiKeyIds = ended.apiKeyIds ?? [];
  if (sessionIds.length === 0 && apiKeyIds.length === 0) return;
  await deps.bus
    .publish(CONTROL_TOPIC, {
      kind: 'control',
      command: { type: 'end-credentials', sessionIds, apiKeyIds, reason: ended.reason },
    })
    .catch(() => {});
}
