import { adminProcedure, publicProcedure, router } from '../trpc';

export const systemRouter = router({
  ping: publicProcedure.query(({ ctx }) => ({ pong: true as const, ts: new Date(ctx.deps.clock.now()).toISOString() })),
  /** Host name, pid and load of every instance: for admins (as /api/status is). */
  status: adminProcedure.query(({ ctx }) => ctx.deps.status()),
});
