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

/** A worker seen this recently (any call with its key) is online. */
export const WORKER_ONLINE_MS = 60_000;

export const agentRouter = router({
  /**
   * External worker agents (agent API keys that are not revoked): online when seen in the last
   * minute, and the task each runs now; by name. Anyone signed in (the dashboard and sidebar show them).
   */
  workers: protectedProcedure.query(async ({ ctx }) => {
    const keys = (await ctx.deps.stores.apiKeys.list())
      .filter((key) => key.role === 'agent' && !key.revokedAt)
      .sort((a, b) => a.name.localeCompare(b.name));
    const running = (await ctx.deps.stores.tasks.list({ status: 'in_progress', limit: 100 })).items;
    const now = ctx.deps.clock.now();
    return keys.map((key) => {
      const task = running.find((t) => t.workerId === key.userId);
      return {
        name: key.name,
        agents: key.agents,
        online: key.lastUsedAt !== null && now - Date.parse(key.lastUsedAt) < WORKER_ONLINE_MS,
        lastSeenAt: key.lastUsedAt,
        currentTask: task ? { id: task.id, title: task.title, progress: task.progress } : null,
      };
    });
  }),

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
