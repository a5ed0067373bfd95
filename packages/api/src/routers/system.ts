import { publicProcedure, router } from '../trpc';

export const systemRouter = router({
  ping: publicProcedure.query(({ ctx }) => ({ pong: true as const, ts: new Date(ctx.deps.clock.now()).toISOString() })),
  status: publicProcedure.query(({ ctx }) => ctx.deps.status()),
});
