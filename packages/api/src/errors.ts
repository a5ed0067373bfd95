import { AppError } from '@hubbub/core';
import { TRPCError } from '@trpc/server';

/**
 * The domain's AppError and tRPC's errors meet here, and only here. A
 * procedure's AppError is turned into the tRPC error of the same code (so the
 * HTTP status is right); one raised where no middleware runs (createContext,
 * a stream's end) reaches tRPC wrapped as an internal error. Either way the
 * AppError is the tRPC error's cause, and these functions read it from there.
 */

/** The AppError behind a tRPC error, if it is a domain error. */
export function appErrorOf(error: TRPCError): AppError | null {
  return error.cause instanceof AppError ? error.cause : null;
}

/** An AppError as the tRPC error of the same code (the AppError kept as its cause); anything else as it is. */
export function toTRPCError(error: AppError): TRPCError;
export function toTRPCError(error: unknown): unknown;
export function toTRPCError(error: unknown): unknown {
  return error instanceof AppError ? new TRPCError({ code: error.code, message: error.message, cause: error }) : error;
}

/** The code a caller receives for `error`: the domain error's, if it is one. */
export function wireCode(error: TRPCError): TRPCError['code'] {
  return appErrorOf(error)?.code ?? error.code;
}

/** How long the first of `errors` that says when to come back asks the caller to wait. */
export function retryAfterMs(errors: readonly TRPCError[]): number | undefined {
  return errors.map((error) => appErrorOf(error)?.details.retryAfterMs).find(Boolean);
}
