import type { ServerResponse } from 'node:http';
import { AppError, type AppErrorCode } from '@hubbub/core';
import { json } from './respond';

const STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_MANY_REQUESTS: 429,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * An AppError as a plain HTTP answer (the routes outside tRPC): its status,
 * `{ error, code }`, and the headers its code calls for. Anything else is
 * rethrown (the edge server answers 500 and logs it). `close`: the request
 * body was not read to its end, so the connection cannot carry another request.
 */
export function answerAppError(res: ServerResponse, error: unknown, close = false): void {
  if (!(error instanceof AppError)) throw error;
  const headers: Record<string, string> = {};
  if (error.code === 'UNAUTHORIZED') headers['www-authenticate'] = 'Bearer';
  if (error.details.retryAfterMs) headers['retry-after'] = String(Math.ceil(error.details.retryAfterMs / 1000));
  if (close) headers.connection = 'close';
  json(res, STATUS[error.code], { error: error.message, code: error.code }, headers);
}
