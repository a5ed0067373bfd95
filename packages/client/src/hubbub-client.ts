import type { AppRouter } from '@hubbub/api';
import { backoffWithJitter, CLOSE_CODES, LIMITS } from '@hubbub/core';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { behaviorSubject, observable } from '@trpc/server/observable';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import {
  observedWebSocket,
  refusalLink,
  type Transport,
  TransportSelector,
  transportLink,
  WS_RETRY_ON_HTTP_MS,
} from './transport';

export interface HubbubClientOptions {
  /** The server's base URL, e.g. http://localhost:3000 */
  url: string;
  /** A user token (JWT) or an agent API key. */
  token?: string;
  /**
   * - `ws` (default): subscriptions over the WebSocket, calls over HTTP;
   * - `http`: no WebSocket at all: calls over HTTP, subscriptions over Server-Sent Events (for networks whose
   *   proxies refuse WebSocket upgrades);
   * - `auto`: the WebSocket, falling back to HTTP after 3 attempts in a row that never heard from the
   *   server (30 s of them once it has worked) while HTTP answers; back on the WebSocket when a socket,
   *   still retried about once a minute, gets through again.
   */
  transport?: 'ws' | 'http' | 'auto';
  /** With transport 'ws': send queries and mutations over the WebSocket as well. */
  allOverWebSocket?: boolean;
  /** WebSocket implementation; defaults to `ws` (Node 20 has no global WebSocket). */
  WebSocket?: typeof globalThis.WebSocket;
  /**
   * The server refused the token for good (revoked key, ended session: close
   * 4401, or an SSE stream ended with UNAUTHORIZED). The client stops
   * reconnecting; this says why.
   */
  onUnauthorized?(reason: string): void;
}

/**
 * A typed Hubbub client for Node programs and agents: subscriptions over the
 * WebSocket or Server-Sent Events (reconnecting and resuming by lastEventId
 * either way), calls over HTTP.
 */
export function createHubbubClient(options: HubbubClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  const mode = options.transport ?? 'ws';
  let closed = false;
  const refused = (reason: string) => {
    if (closed) return;
    // Reconnecting with refused credentials would only be refused again, forever.
    close();
    options.onUnauthorized?.(reason || 'the server refused this token');
  };

  const selector = new TransportSelector({
    initial: mode === 'http' ? 'http' : 'ws',
    httpAnswers: () =>
      fetch(`${base}/trpc/system.ping`).then(
        (res) => res.ok,
        () => false,
      ),
  });
  const reconnectDelay = reconnectDelays();
  const WebSocketClass = options.WebSocket ?? (WebSocket as unknown as typeof globalThis.WebSocket);
  const ws =
    mode === 'http'
      ? null
      : createWSClient({
          url: `${base.replace(/^http/, 'ws')}/ws`,
          WebSocket: mode === 'auto' ? observedWebSocket(WebSocketClass, selector) : WebSocketClass,
          ...(options.token ? { connectionParams: { token: options.token } } : {}),
          keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 10_000 },
          retryDelayMs: (attempt) =>
            selector.current() === 'http' ? WS_RETRY_ON_HTTP_MS + backoffWithJitter(attempt) : reconnectDelay(attempt),
          onClose: (cause) => {
            if (cause?.code === CLOSE_CODES.unauthorized) refused((cause as { reason?: string }).reason ?? '');
          },
        });

  const http = httpBatchLink({
    url: `${base}/trpc`,
    // The server refuses bigger batches.
    maxItems: LIMITS.httpBatch,
    headers: () => authorization(options.token),
  });
  const sse = closableLink(
    refusalLink<AppRouter>(
      httpSubscriptionLink({
        url: `${base}/trpc`,
        EventSource,
        // The token goes in a header: in the URL (connectionParams) it would end up in access logs.
        eventSourceOptions: {
          fetch: (input, init) =>
            fetch(input, { ...init, headers: { ...init.headers, ...authorization(options.token) } }),
        },
      }),
      refused,
    ),
  );
  const overWs = ws ? wsLink<AppRouter>({ client: ws }) : null;
  const api = createTRPCClient<AppRouter>({
    links: [
      transportLink<AppRouter>({
        selector,
        links: {
          ws: {
            // With 'auto', calls stay on HTTP (it works through a blocking proxy too): a call queued on a socket
            // that never got through would otherwise wait for it.
            calls: overWs && options.allOverWebSocket && mode === 'ws' ? overWs : http,
            subscriptions: overWs ?? sse.link,
          },
          http: { calls: http, subscriptions: sse.link },
        },
      }),
    ],
  });

  function close() {
    closed = true;
    sse.closeAll();
    return ws?.close() ?? Promise.resolve();
  }

  return {
    api,
    /** The transport in use now ('auto' may change it). */
    transport: (): Transport => selector.current(),
    /** The WebSocket's state stream: 'idle' | 'connecting' | 'pending' (open); always 'idle' with transport 'http'. */
    connectionState:
      ws?.connectionState ?? behaviorSubject({ type: 'state' as const, state: 'idle' as const, error: null }),
    close,
  };
}

export type HubbubClient = ReturnType<typeof createHubbubClient>;

/** While an outage is younger than this (a restart, a deploy), a client tries again at least every `SHORT_OUTAGE_CAP_MS`. */
export const SHORT_OUTAGE_MS = 60_000;
export const SHORT_OUTAGE_CAP_MS = 3_000;

/**
 * The WebSocket's reconnect delay: full jitter (each attempt a random delay in [0, min(cap, 500 ms × 2^attempt)),
 * the first one too, so a crowd dropped at once does not come back at once), with a 3 s cap for the first
 * minute of an outage and 15 s after it. The short cap is what bounds a restart: a client's wait after the
 * server is back is at most its current delay, and with 15 s from the first minute on a crowd kept trickling
 * in for 15 s (the reconnect storm, docs/performance.md); a long outage still backs off to 15 s.
 */
export function reconnectDelays(now: () => number = Date.now, random: () => number = Math.random) {
  let outageStart = 0;
  return (attempt: number): number => {
    if (attempt === 0) outageStart = now();
    const capMs = now() - outageStart < SHORT_OUTAGE_MS ? SHORT_OUTAGE_CAP_MS : undefined;
    return backoffWithJitter(attempt, undefined, capMs, random);
  };
}

function authorization(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A link whose open subscriptions all end on `closeAll` (an EventSource would otherwise retry forever). */
function closableLink(link: TRPCLink<AppRouter>) {
  const open = new Set<() => void>();
  let closed = false;
  return {
    link: ((runtime) => {
      const operation = link(runtime);
      return (props) =>
        observable((observer) => {
          if (closed) {
            observer.complete();
            return () => {};
          }
          const subscription = operation(props).subscribe(observer);
          const end = () => {
            open.delete(end);
            subscription.unsubscribe();
            observer.complete();
          };
          open.add(end);
          return () => {
            open.delete(end);
            subscription.unsubscribe();
          };
        });
    }) satisfies TRPCLink<AppRouter>,
    closeAll() {
      closed = true;
      for (const end of [...open]) end();
    },
  };
}
