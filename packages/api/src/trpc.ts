import { AppError, type User } from '@hubbub/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ZodError, z } from 'zod';
import type { Context } from './context';

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
      message: internal ? 'internal error: the server could not complete this request' : shape.message,
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

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'sign in to do this' });
  }
  return next({ ctx: { ...ctx, user: ctx.user as User } });
});

/** Mutations that write: limited per connection (ws) or per client (http). */
export const writeProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.limiter.take(ctx.clock.now())) {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'slow down: too many changes in a short time' });
  }
  return next();
});
