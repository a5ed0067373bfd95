import { agentRouter } from './routers/agent';
import { apiKeyRouter } from './routers/api-key';
import { authRouter } from './routers/auth';
import { channelRouter } from './routers/channel';
import { dmRouter } from './routers/dm';
import { messageRouter } from './routers/message';
import { notificationRouter } from './routers/notification';
import { systemRouter } from './routers/system';
import { taskRouter } from './routers/task';
import { todoRouter } from './routers/todo';
import { userRouter } from './routers/user';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  agent: agentRouter,
  apiKey: apiKeyRouter,
  auth: authRouter,
  channel: channelRouter,
  dm: dmRouter,
  message: messageRouter,
  notification: notificationRouter,
  system: systemRouter,
  task: taskRouter,
  todo: todoRouter,
  user: userRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
