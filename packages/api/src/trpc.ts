import { AppError, type User } from '@hubbub/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ZodError, z } from 'zod';
import { assertKeyActive, type Context } from './context';

/** Error codes of a database (or network) that is down or restarting, as opposed to a bug. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

export function isBackendUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const t = initTRPC.context<Context>().create({
  isDev: false,
  /** The one place errors take their wire shape: domain errors keep their code, internal ones lose their detail. */
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    if (cause instanceof AppError) {
      const mapped = new TRPCError({ code: cause.code, message: cause.message });
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[cause.code],
        message: cause.message,
        data: { ...shape.data, code: cause.code, httpStatus: getHTTPStatusCodeFromError(mapped), zodError: null },
      };
    }
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // The detail (SQL, stack) stays in the server log.
      message: !internal
        ? shape.message
        : isBackendUnavailable(cause)
          ? 'the database is unavailable right now: try again in a moment'
          : 'internal error: the server could not complete this request',
      data: { ...shape.data, zodError: cause instanceof ZodError ? z.flattenError(cause) : null },
    };
  },
});

/** Turns the domain's AppError into the matching tRPC error, so HTTP statuses are right too. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    throw new TRPCError({ code: result.error.cause.code, message: result.error.cause.message });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'sign in to do this' });
  }
  await assertKeyActive(ctx, ctx.apiKeyId);
  // tRPC merges this into the context; spreading the whole context here would copy it once more per call.
  return next({ ctx: { user: ctx.user as User } });
});

const requireRole = (roles: readonly User['role'][], why: string) =>
  protectedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role)) throw new TRPCError({ code: 'FORBIDDEN', message: why });
    return next();
  });

export const adminProcedure = requireRole(['admin'], 'only an admin can do this');
/** Worker calls: an agent key (or an admin, for trying things by hand). */
export const agentProcedure = requireRole(['agent', 'admin'], 'this needs an agent API key');
/** Decisions that must come from a person, not from an agent. */
export const humanProcedure = requireRole(['admin', 'member'], 'only a person can decide this');

/** Mutations that write: limited per connection (ws) or per client (http). */
const rateLimited = t.middleware(({ ctx, next }) => {
  if (!ctx.limiter.take(ctx.clock.now())) {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'slow down: too many changes in a short time' });
  }
  return next();
});
export const writeProcedure = protectedProcedure.use(rateLimited);
export const agentWriteProcedure = agentProcedure.use(rateLimited);
export const humanWriteProcedure = humanProcedure.use(rateLimited);
