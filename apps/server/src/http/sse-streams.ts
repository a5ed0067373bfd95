import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection, createHttpContext } from '@hubbub/api';
import { AppError, CLOSE_CODES } from '@hubbub/core';
import type { CredentialGuard } from '../credentials';
import { PerKeyCounter } from './connection-cap';

/** Like the subscriptions one WebSocket may carry: far above what a person's tabs follow, far below a flood. */
export const DEFAULT_MAX_SSE_STREAMS_PER_USER = 100;
/** A stream told to end (credentials ended) that has not sent its error by then is cut (a WebSocket's close frame gets as long). */
const END_GRACE_MS = 5_000;

/** What createHttpContext learns about a stream (its `stream` field). */
type StreamInfo = NonNullable<NonNullable<Parameters<typeof createHttpContext>[2]>['stream']>;

export interface SseStreamsOptions {
  guard: CredentialGuard;
  /** Streams one person may hold open on this instance at once. */
  maxPerUser?: number;
}

export interface SseStreams {
  /** What the context of a subscription request needs: its connection, and whether the cookie may sign it in. */
  forRequest(
    req: IncomingMessage,
    res: ServerResponse,
    connectionParams: Record<string, string | undefined> | null,
  ): StreamInfo;
  /** Streams open now. */
  readonly open: number;
  /** Cuts every stream (shutdown): each client reconnects and resumes from its Last-Event-ID. */
  cutAll(): void;
}

/**
 * Subscriptions over Server-Sent Events (tRPC's `httpSubscriptionLink`), held
 * to the WebSocket's rules: a stream is signed in once, when it starts, and
 * ends with its credentials (an UNAUTHORIZED error with the reason); one
 * person holds at most `maxPerUser` streams; a stream that falls behind is cut
 * (the pull view in ResumableStream bounds its backlog) and its EventSource
 * reconnects with Last-Event-ID. Each stream is an HTTP connection, counted by
 * the per-address connection cap like any other.
 */
export function createSseStreams(options: SseStreamsOptions): SseStreams {
  const max = options.maxPerUser ?? DEFAULT_MAX_SSE_STREAMS_PER_USER;
  const perUser = new PerKeyCounter(max);
  const responses = new Set<ServerResponse>();

  const cut = (res: ServerResponse) => {
    if (!res.destroyed && !res.writableFinished) res.destroy();
  };

  const connection = (res: ServerResponse): Connection => {
    let endStream: ((error: Error) => void) | null = null;
    const self: Connection = {
      bufferedAmount: () => res.writableLength,
      close(code, reason) {
        if (code === CLOSE_CODES.unauthorized && endStream) {
          endStream(new AppError('UNAUTHORIZED', reason));
          const deadline = setTimeout(() => cut(res), END_GRACE_MS);
          res.once('close', () => clearTimeout(deadline));
        } else {
          // Too slow (or the server stops): nothing more is sent; the EventSource reconnects and resumes.
          cut(res);
        }
      },
      openStream(owner, end) {
        const userId = owner.user?.id ?? null;
        if (userId && !perUser.tryAcquire(userId)) {
          throw new AppError(
            'TOO_MANY_REQUESTS',
            `at most ${max} live streams per person over HTTP: close some (or use the WebSocket, which carries many)`,
          );
        }
        endStream = end;
        responses.add(res);
        const untrack = options.guard.trackStream(owner, self);
        let held = true;
        return () => {
          if (!held) return;
          held = false;
          endStream = null;
          responses.delete(res);
          if (userId) perUser.release(userId);
          untrack();
        };
      },
    };
    return self;
  };

  return {
    forRequest: (req, res, connectionParams) => ({
      connection: connection(res),
      cookieSignIn: req.method === 'GET' && isSameOriginRequest(req),
      connectionParams,
    }),
    get open() {
      return responses.size;
    },
    cutAll() {
      for (const res of responses) cut(res);
    },
  };
}

/**
 * Whether a browser sent this request from the app's own pages. Browsers say so
 * in Sec-Fetch-Site (`none`: typed into the address bar); older ones send an
 * Origin on cross-origin requests. A request with neither is not from a browser
 * page, and the SameSite=Strict cookie never rides a cross-site one anyway:
 * this is the second lock, like the Origin check on WebSocket upgrades.
 */
export function isSameOriginRequest(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
