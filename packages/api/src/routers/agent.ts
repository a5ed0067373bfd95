import {
  type Agent,
  type AgentSummary,
  AppError,
  BUILT_IN_AGENT,
  notFound,
  type User,
  ZAgentHandleInput,
  ZAgentUpsertInput,
} from '@hubbub/core';
import { publishAgentChange } from '../agent-registry';
import { adminProcedure, protectedProcedure, router } from '../trpc';

/** Instructions are an admin's configuration (they may name internal things): only admins read them. */
function visibleTo(user: User, agent: Agent): AgentSummary {
  if (user.role === 'admin') return agent;
  const { instructions: _hidden, ...summary } = agent;
  return summary;
}

export const agentRouter = router({
  /** Every agent, by handle (the built-in @assistant among them). */
  list: protectedProcedure.query(async ({ ctx }) => {
    const agents = await ctx.deps.stores.agents.list();
    return agents.map((agent) => visibleTo(ctx.user, agent));
  }),

  get: protectedProcedure.input(ZAgentHandleInput).query(async ({ input, ctx }) => {
    const agent = await ctx.deps.stores.agents.byHandle(input.handle);
    if (!agent) throw notFound('agent');
    return visibleTo(ctx.user, agent);
  }),

  /** Adds an agent, or changes the one with this handle (the built-in one included). */
  upsert: adminProcedure.input(ZAgentUpsertInput).mutation(async ({ input, ctx }) => {
    const { agent } = await ctx.deps.stores.agents.upsert(input, ctx.user.id);
    await publishAgentChange(ctx.deps, agent.handle, false);
    return agent;
  }),

  /** Removes an agent: it answers no more; its user stays, so its replies keep their author. */
  remove: adminProcedure.input(ZAgentHandleInput).mutation(async ({ input, ctx }) => {
    if (input.handle === BUILT_IN_AGENT) {
      throw new AppError('FORBIDDEN', 'the built-in assistant cannot be removed: change its instructions instead');
    }
    const agent = await ctx.deps.stores.agents.remove(input.handle);
    await publishAgentChange(ctx.deps, agent.handle, true);
    return agent;
  }),
});
