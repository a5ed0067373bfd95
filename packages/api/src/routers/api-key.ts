import { ZApiKeyRef, ZCreateApiKeyInput } from '@hubbub/core';
import { generateApiKey } from '../api-keys';
import { adminProcedure, router } from '../trpc';

export const apiKeyRouter = router({
  /** The key is in this answer only; the server keeps a hash. */
  create: adminProcedure.input(ZCreateApiKeyInput).mutation(async ({ input, ctx }) => {
    const { id, key, prefix, secretHash } = generateApiKey();
    const apiKey = await ctx.deps.stores.apiKeys.create({
      id,
      name: input.name,
      role: input.role,
      prefix,
      secretHash,
      createdBy: ctx.user.id,
    });
    return { key, apiKey };
  }),
  list: adminProcedure.query(({ ctx }) => ctx.deps.stores.apiKeys.list()),
  revoke: adminProcedure.input(ZApiKeyRef).mutation(({ input, ctx }) => ctx.deps.stores.apiKeys.revoke(input.id)),
});
