export { CLOSE_CODES } from '@hubbub/core';
export type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
export { ensureBuiltInAgent } from './agent-registry';
export { generateApiKey } from './api-keys';
export { assertCanUpload, blobKeysOf, deleteFilesOf, readableFile, thumbnailKey } from './attachments';
export {
  type AppDeps,
  type AppDepsInput,
  authenticate,
  type Connection,
  type Context,
  createAppDeps,
  createContextInner,
  createHttpContext,
  createWsContext,
  DEFAULT_SESSION_MAX_AGE_MS,
  type HttpExchange,
  type SystemStatus,
} from './context';
export { retryAfterMs, wireCode } from './errors';
export {
  createRateLimiterSet,
  DEFAULT_LIMITS,
  type LimitSettings,
  NO_RATE_LIMITS,
  type RateLimit,
  type RateLimiterSet,
} from './limits';
export { type StrengthChecker, strengthChecker } from './password-strength';
export { createPasswordHasher, hashPassword, type PasswordHasher, verifyPassword } from './passwords';
export { ResumableStream, type StreamEnd, type StreamSink, type StreamSource } from './resumable-stream';
export { type AppRouter, appRouter, createCaller } from './root';
export { replaceChannelTodos } from './routers/todo';
export { failStaleRuns } from './task-access';
export { createTokenService, type TokenService } from './tokens';
export { replyDeciders, tellToolApprovers } from './tool-approvals';
