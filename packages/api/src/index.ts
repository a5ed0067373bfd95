export { CLOSE_CODES } from '@hubbub/core';
export type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
export { generateApiKey } from './api-keys';
export {
  type AppDeps,
  type AppDepsInput,
  type Connection,
  type Context,
  createAppDeps,
  createContextInner,
  createHttpContext,
  createWsContext,
  type Limits,
  type RateLimit,
  type SystemStatus,
} from './context';
export { hashPassword, verifyPassword } from './passwords';
export { ResumableStream, type StreamEnd, type StreamSink, type StreamSource } from './resumable-stream';
export { type AppRouter, appRouter, createCaller } from './root';
export { failStaleRuns } from './task-ops';
export { createTokenService, type TokenService } from './tokens';
