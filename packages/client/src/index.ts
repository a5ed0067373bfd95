import type { AppRouter } from '@hubbub/api';
import { backoffWithJitter } from '@hubbub/core';
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
  });
  const http = httpBatchLink({
    url: `${base}/trpc`,
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
