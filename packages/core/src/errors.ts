export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR';

/**
 * Why an error happened, for a program to switch on (clients read it as
 * `error.data.reason`; the message is for people and may change). A reason is
 * added when a client needs to tell one case of a code from the others.
 */
export type AppErrorReason =
  /** CONFLICT: the task was cancelled; its worker stops working on it. */
  'task_cancelled';

/** What a client may act on besides the code: why, and when to try again. */
export interface AppErrorDetails {
  reason?: AppErrorReason;
  /** TOO_MANY_REQUESTS: how long until the call would be allowed. */
  retryAfterMs?: number;
}

/** The one error type of the domain; the API translates it to tRPC errors in one place (packages/api errors.ts). */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get reason(): AppErrorReason | undefined {
    return this.details.reason;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (why: string) => new AppError('FORBIDDEN', why);

/** WebSocket close codes Hubbub uses; clients act on them. */
export const CLOSE_CODES = {
  /** The token presented at connect is not valid: do not reconnect with it. */
  unauthorized: 4401,
  /** The client fell too far behind: reconnect and resume with lastEventId. */
  slowConsumer: 4008,
} as const;
