import { apiKeyRouter } from './routers/api-key';
import { authRouter } from './routers/auth';
import { channelRouter } from './routers/channel';
import { messageRouter } from './routers/message';
import { systemRouter } from './routers/system';
import { taskRouter } from './routers/task';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  apiKey: apiKeyRouter,
  auth: authRouter,
  channel: channelRouter,
  message: messageRouter,
  system: systemRouter,
  task: taskRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
