import { AppError, CLOSE_CODES, type User } from '@hubbub/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ZodError, z } from 'zod';
import { assertKeyActive, type Context } from './context';
import { appErrorOf, toTRPCError } from './errors';
import { take } from './limits';
import { refuseNul } from './nul-text';

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

/**
 * Subscriptions over Server-Sent Events: a ping every 15 s keeps proxies from closing a quiet stream and
 * lets the server notice a client that is gone; a client that hears nothing for 40 s opens a new stream,
 * resuming from its last event id (the WebSocket's keep-alive does the same for sockets).
 */
export const SSE_OPTIONS = {
  ping: { enabled: true, intervalMs: 15_000 },
  client: { reconnectAfterInactivityMs: 40_000 },
} as const;

const t = initTRPC.context<Context>().create({
  isDev: false,
  sse: SSE_OPTIONS,
  /** The one place errors take their wire shape: domain errors keep their code, internal ones lose their detail. */
  errorFormatter({ shape, error }) {
    const domain = appErrorOf(error);
    if (domain) {
      const { reason, retryAfterMs } = domain.details;
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[domain.code],
        message: domain.message,
        data: {
          ...shape.data,
          code: domain.code,
          httpStatus: getHTTPStatusCodeFromError(toTRPCError(domain)),
          zodError: null,
          // What a program switches on (docs/API.md lists the reasons); the message is for people.
          ...(reason !== undefined ? { reason } : {}),
          // TOO_MANY_REQUESTS: when to try again (the HTTP answer carries it as Retry-After too).
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      };
    }
    const cause = error.cause;
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

/** A call that failed with the domain's AppError fails with the matching tRPC error instead (so HTTP statuses are right). */
function mapAppError<R extends { ok: true } | { ok: false; error: TRPCError }>(result: R): R {
  const domain = result.ok ? null : appErrorOf(result.error);
  if (domain) throw toTRPCError(domain);
  return result;
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone may call these; signed-out reads are limited per client address. */
export const publicProcedure = t.procedure.use(async ({ ctx, type, next, getRawInput }) => {
  await refuseNul(getRawInput);
  if (type === 'query') {
    try {
      await take(ctx.deps.rateLimits.reads, `address:${ctx.address}`, 'slow down: too many requests');
    } catch (cause) {
      throw toTRPCError(cause);
    }
  }
  return mapAppError(await next());
});

interface Rule {
  /** Roles allowed (any signed-in user when absent), and what to say to the others. */
  roles?: readonly User['role'][];
  why?: string;
  /** Writes: limited per user, across connections and instances (queries always count as reads). */
  rateLimited?: boolean;
  /** Only a person signed in themselves: no API key, whatever its role. */
  peopleOnly?: boolean;
}

/**
 * Every check a signed-in procedure needs, in one middleware: tRPC copies its
 * options twice per middleware level, so one level instead of four is a
 * measurable share of a write's server time.
 */
const signedIn = (rule: Rule = {}) =>
  t.procedure.use(async ({ ctx, type, next, getRawInput }) => {
    const { user, deps } = ctx;
    if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.authError ?? 'sign in to do this' });
    await refuseNul(getRawInput);
    if (ctx.sessionExpiresAt !== null && deps.clock.now() >= ctx.sessionExpiresAt) {
      // A socket outlived its sign-in: end it (after this error frame) the way a refused token is ended.
      const { connection } = ctx;
      if (connection)
        setImmediate(() => connection.close(CLOSE_CODES.unauthorized, 'your session has ended: log in again'));
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'your session has ended: log in again' });
    }
    try {
      await assertKeyActive(deps, ctx.apiKeyId);
      const refused = (rule.roles && !rule.roles.includes(user.role)) || (rule.peopleOnly && ctx.apiKeyId);
      if (refused) throw new AppError('FORBIDDEN', rule.why ?? 'not allowed');
      if (type === 'query') await take(deps.rateLimits.reads, user.id, 'slow down: too many requests');
      else if (rule.rateLimited) {
        await take(deps.rateLimits.writes, user.id, 'slow down: too many changes in a short time');
      }
    } catch (cause) {
      throw toTRPCError(cause);
    }
    // tRPC merges this into the context; spreading the whole context here would copy it once more per call.
    return mapAppError(await next({ ctx: { user } }));
  });

const ADMIN = { roles: ['admin'], why: 'only an admin can do this' } as const;
/** Worker calls: an agent key (or an admin, for trying things by hand). */
const AGENT = { roles: ['agent', 'admin'], why: 'this needs an agent API key' } as const;
/** Decisions that must come from a person (a session of their own), not from an agent or a script's key. */
const HUMAN = { roles: ['admin', 'member'], peopleOnly: true, why: 'only a person can decide this' } as const;

export const protectedProcedure = signedIn();
export const writeProcedure = signedIn({ rateLimited: true });
export const adminProcedure = signedIn(ADMIN);
export const agentProcedure = signedIn(AGENT);
export const agentWriteProcedure = signedIn({ ...AGENT, rateLimited: true });
export const humanWriteProcedure = signedIn({ ...HUMAN, rateLimited: true });
/** A person's own settings and browsers (push subscriptions): signed in themselves, not through an API key. */
export const personWriteProcedure = signedIn({
  roles: ['admin', 'member'],
  peopleOnly: true,
  why: 'only a person signed in themselves can do this, not an API key',
  rateLimited: true,
});
