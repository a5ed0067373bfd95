import { AppError, ZLoginInput, ZSignupInput } from '@hubbub/core';
import { publish } from '../access';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../passwords';
import { protectedProcedure, publicProcedure, router } from '../trpc';

export const authRouter = router({
  signup: publicProcedure.input(ZSignupInput).mutation(async ({ input, ctx }) => {
    const passwordHash = await hashPassword(input.password);
    const user = await ctx.deps.stores.users.create({
      handle: input.handle,
      displayName: input.displayName ?? input.handle,
      passwordHash,
    });
    // Everyone starts in #general.
    const general = await ctx.deps.stores.chat.channelBySlug('general');
    if (general) await publish(ctx.deps, await ctx.deps.stores.chat.join(general.id, user.id));
    return { token: await ctx.deps.tokens.issue(user.id), user };
  }),

  login: publicProcedure.input(ZLoginInput).mutation(async ({ input, ctx }) => {
    const found = await ctx.deps.stores.users.byHandleWithSecret(input.handle);
    const ok = await verifyPassword(input.password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok) throw new AppError('UNAUTHORIZED', 'wrong handle or password');
    const { passwordHash: _, ...user } = found;
    return { token: await ctx.deps.tokens.issue(user.id), user };
  }),

  me: protectedProcedure.query(({ ctx }) => ctx.user),

  refresh: protectedProcedure.mutation(async ({ ctx }) => ({ token: await ctx.deps.tokens.issue(ctx.user.id) })),
});
