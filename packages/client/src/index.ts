import type { AppRouter } from '@hubbub/api';
import { backoffWithJitter, CLOSE_CODES, LIMITS } from '@hubbub/core';
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import WebSocket from 'ws';

export type { AppRouter } from '@hubbub/api';

export interface HubbubClientOptions {
  /** The server's base URL, e.g. http://localhost:3000 */
  url: string;
  /** A user token (JWT) or an agent API key. */
  token?: string;
  /** Subscriptions always use the WebSocket; set true to send queries and mutations over it as well. */
  allOverWebSocket?: boolean;
  /** WebSocket implementation; defaults to `ws` (Node 20 has no global WebSocket). */
  WebSocket?: typeof globalThis.WebSocket;
  /**
   * The server refused the token for good (revoked key, ended session: close
   * 4401). The client stops reconnecting; this says why.
   */
  onUnauthorized?(reason: string): void;
}

/**
 * A typed Hubbub client for Node programs and agents: subscriptions over
 * WebSocket (reconnecting with jittered backoff and resuming by lastEventId),
 * everything else over HTTP.
 */
export function createHubbubClient(options: HubbubClientOptions) {
  const base = options.url.replace(/\/+$/, '');
  const ws = createWSClient({
    url: `${base.replace(/^http/, 'ws')}/ws`,
    WebSocket: options.WebSocket ?? (WebSocket as unknown as typeof globalThis.WebSocket),
    ...(options.token ? { connectionParams: { token: options.token } } : {}),
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 10_000 },
    retryDelayMs: (attempt) => backoffWithJitter(attempt),
    onClose: (cause) => {
      if (cause?.code !== CLOSE_CODES.unauthorized) return;
      // Reconnecting with refused credentials would only be refused again, forever.
      void ws.close();
      options.onUnauthorized?.((cause as { reason?: string }).reason || 'the server refused this token');
    },
  });
  const http = httpBatchLink({
    url: `${base}/trpc`,
    // The server refuses bigger batches.
    maxItems: LIMITS.httpBatch,
    headers: () => (options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });
  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription' || options.allOverWebSocket === true,
        true: wsLink({ client: ws }),
        false: http,
      }),
    ],
  });
  return {
    api,
    /** The WebSocket's state stream: 'idle' | 'connecting' | 'pending' (open). */
    connectionState: ws.connectionState,
    close: () => ws.close(),
  };
}

export type HubbubClient = ReturnType<typeof createHubbubClient>;

export {
  type RunWorkerOptions,
  runWorker,
  type Task,
  type Worker,
  type WorkerContext,
  type WorkerEvent,
} from './worker';
