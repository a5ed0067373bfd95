import { authRouter } from './routers/auth';
import { channelRouter } from './routers/channel';
import { messageRouter } from './routers/message';
import { systemRouter } from './routers/system';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  channel: channelRouter,
  message: messageRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
