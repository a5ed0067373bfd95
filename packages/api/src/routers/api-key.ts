import { ZApiKeyRef, ZCreateApiKeyInput } from '@hubbub/core';
import { generateApiKey } from '../api-keys';
import { endCredentials } from '../sessions';
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
      agents: input.agents ?? [input.name],
    });
    return { key, apiKey };
  }),
  list: adminProcedure.query(({ ctx }) => ctx.deps.stores.apiKeys.list()),
  /** Stops the key at once: its open connections on every instance are closed (4401), every later call refused. */
  revoke: adminProcedure.input(ZApiKeyRef).mutation(async ({ input, ctx }) => {
    const revoked = await ctx.deps.stores.apiKeys.revoke(input.id);
    await endCredentials(ctx.deps, { apiKeyIds: [revoked.id], reason: 'this API key was revoked' });
    return revoked;
  }),
});
