import type { AppRouter } from '@hubbub/api';
import type { Operation, TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import { errorCode } from './errors';

export interface TokenSource {
  /** The token requests carry now. */
  token(): string | null;
  /** After `sentWith` was refused: whether a newer token for the same person is ready (refreshing if needed). */
  recover(sentWith: string): Promise<boolean>;
}

/** Calls whose UNAUTHORIZED means wrong credentials or no session, never an expired token. */
const CREDENTIAL_CALLS = new Set(['auth.login', 'auth.signup', 'auth.refresh', 'auth.logout']);

/** Subscriptions authenticate once, when their socket connects; the socket's own refusal (4401) covers them. */
const retriable = (op: Operation) => op.type !== 'subscription' && !CREDENTIAL_CALLS.has(op.path);

/**
 * A call refused with UNAUTHORIZED (its token expired while the tab slept)
 * is sent once more after a refresh. Safe for mutations too: a refused call
 * did nothing. A second refusal, or a refresh that fails, passes the first
 * error on; the session has then signed out if the server said so.
 */
export function refreshRetryLink(source: TokenSource): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | null = null;
        let stopped = false;

        const attempt = (isRetry: boolean) => {
          const sentWith = source.token();
          current = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              if (isRetry || !sentWith || !retriable(op) || errorCode(error) !== 'UNAUTHORIZED') {
                observer.error(error);
                return;
              }
              source.recover(sentWith).then(
                (ready) => {
                  if (stopped) return;
                  if (ready) attempt(true);
                  else observer.error(error);
                },
                () => {
                  if (!stopped) observer.error(error);
                },
              );
            },
          });
        };

        attempt(false);
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
}
