import { AppError, ZLoginInput, ZLogoutAllInput, ZSignupInput } from '@hubbub/core';
import { publishChanges } from '../channel-access';
import { take } from '../limits';
import { guardLogin } from '../login-guard';
import { DUMMY_HASH } from '../passwords';
import { endAllSessions, endSession, refreshSession, startSession } from '../sessions';
import { protectedProcedure, publicProcedure, router } from '../trpc';

const expiry = (grant: { expiresAt: number }) => new Date(grant.expiresAt).toISOString();

export const authRouter = router({
  signup: publicProcedure.input(ZSignupInput).mutation(async ({ input, ctx }) => {
    const { deps } = ctx;
    await take(deps.rateLimits.signups, ctx.address, 'too many new accounts from your network');
    await deps.strength.assertStrong(input.password, [input.handle, input.displayName ?? '']);
    const passwordHash = await deps.passwords.hash(input.password, ctx.address);
    const user = await deps.stores.users.create({
      handle: input.handle,
      displayName: input.displayName ?? input.handle,
      passwordHash,
    });
    // Everyone starts in #general.
    const general = await deps.stores.chat.channelBySlug('general');
    if (general) await publishChanges(deps, await deps.stores.chat.join(general.id, user.id));
    const grant = await startSession(ctx, user);
    return { token: grant.token, expiresAt: expiry(grant), user };
  }),

  login: publicProcedure.input(ZLoginInput).mutation(async ({ input, ctx }) => {
    const { deps } = ctx;
    const attempt = await guardLogin(deps, input.handle, ctx.address);
    const found = await deps.stores.users.byHandleWithSecret(input.handle);
    const ok = await deps.passwords.verify(input.password, found?.passwordHash ?? DUMMY_HASH, ctx.address);
    if (!found || !ok) throw new AppError('UNAUTHORIZED', 'wrong handle or password');
    await attempt.succeeded();
    const { passwordHash: _, ...user } = found;
    const grant = await startSession(ctx, user);
    return { token: grant.token, expiresAt: expiry(grant), user };
  }),

  me: protectedProcedure.query(({ ctx }) => ctx.user),

  /** A new token for this session: with a valid token, or (browsers) with the session cookie alone. */
  refresh: publicProcedure.mutation(async ({ ctx }) => {
    const grant = await refreshSession(ctx);
    return { token: grant.token, expiresAt: expiry(grant), user: grant.user };
  }),

  /** Ends this session: its tokens stop working on every instance, its sockets are closed. */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    await endSession(ctx);
    return { loggedOut: true as const };
  }),

  /** Ends every session of the caller (an admin: of anyone), e.g. after a lost laptop. API keys are not sessions. */
  logoutAll: protectedProcedure.input(ZLogoutAllInput).mutation(async ({ input, ctx }) => {
    const userId = input?.userId ?? ctx.user.id;
    if (userId !== ctx.user.id && ctx.user.role !== 'admin') {
      throw new AppError('FORBIDDEN', "only an admin can end someone else's sessions");
    }
    const ended = await endAllSessions(ctx.deps, userId, 'every session of this account was ended');
    if (userId === ctx.user.id) ctx.http?.setSessionCookie(null);
    return { ended };
  }),
});
