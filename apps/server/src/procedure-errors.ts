import { wireCode } from '@hubbub/api';
import type { TRPCError } from '@trpc/server';
import type { Logger } from './logger';

export type ProcedureErrorHandler = (failure: { error: TRPCError; path?: string; type: string }) => void;

/** One log line per failure that matters (both transports); expected domain errors (AppError) are not server faults. */
export function logProcedureErrors(logger: Logger): ProcedureErrorHandler {
  return ({ error, path, type }) => {
    const code = wireCode(error);
    if (code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else if (code === 'UNAUTHORIZED' && !path) logger.warn({ reason: error.message }, 'auth failure');
  };
}
