import type { AppRouter } from '@hubbub/api';
import { observedWebSocket, refusalLink, transportLink } from '@hubbub/client/transport';
import { CLOSE_CODES, LIMITS } from '@hubbub/core';
import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createElement, type ReactNode, useEffect, useMemo, useState } from 'react';
import type { SessionAccess } from './features/auth/session-controller';
import { FileSessionContext } from './features/files/file-session';
import { errorCode, errorMessage } from './lib/errors';
import { createLiveTransport, type LiveTransport } from './lib/live-transport';
import { refreshRetryLink } from './lib/refresh-retry-link';
import { openStreamsFor, streamSlotsLink } from './lib/stream-slots';
import { toast } from './lib/toast';
import { LiveConnectionContext, type WsClient } from './shell/live-connection';
import { createScreenPriority } from './shell/screen-priority';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type { WsClient };
export type ApiClient = TRPCClient<AppRouter>;

declare module '@tanstack/react-query' {
  interface Register {
    /** `inlineErrors`: the caller shows the error itself (under a form), so no toast. */
    mutationMeta: { inlineErrors?: boolean };
  }
}

export interface Clients {
  queryClient: QueryClient;
  trpcClient: ApiClient;
  /** Null while signed out: the login screen needs no socket. */
  wsClient: WsClient | null;
  /** Which transport carries the live updates (WebSocket, or HTTP when it is blocked); null while signed out. */
  live: LiveTransport | null;
  dispose(): void;
}

const NO_RETRY = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT']);

/**
 * One set of clients per signed-in person (null: signed out). A renewed
 * token changes nothing here: the links read the current one from `session`
 * on every request and every (re)connect, so caches and the socket outlive it.
 */
export function createClients(session: SessionAccess | null): Clients {
  const base = `${window.location.protocol}//${window.location.host}`;
  const queryClient = new QueryClient({
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => {
        // UNAUTHORIZED: the session has signed out (or will say why); a toast would only repeat it.
        if (!mutation.meta?.inlineErrors && errorCode(error) !== 'UNAUTHORIZED') toast(errorMessage(error));
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, error) => !NO_RETRY.has(errorCode(error) ?? '') && count < 2,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });

  const http = httpBatchLink({
    url: `${base}/trpc`,
    // The server refuses bigger batches.
    maxItems: LIMITS.httpBatch,
    headers: (): Record<string, string> => {
      const token = session?.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  const screen = createScreenPriority(queryClient);
  const live = session
    ? createLiveTransport({
        httpAnswers: () =>
          fetch(`${base}/trpc/system.ping`).then(
            (res) => res.ok,
            () => false,
          ),
      })
    : null;
  const wsClient =
    session && live
      ? createWSClient({
          url: `${base.replace(/^http/, 'ws')}/ws`,
          // Each socket reports whether it got through: after failed attempts the page moves to HTTP, and back.
          WebSocket: observedWebSocket(WebSocket, live.selector),
          // Called on every (re)connect: the socket presents the token of that moment, renewed first if it expired.
          connectionParams: async () => {
            const token = await session.freshToken();
            return token ? { token } : {};
          },
          lazy: { enabled: false, closeMs: 0 },
          keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 10_000 },
          retryDelayMs: live.wsRetryDelayMs,
          onClose: (cause) => {
            // 4401: the server refused this socket's credentials: renew the token, or sign out with its reason.
            if (cause?.code === CLOSE_CODES.unauthorized)
              session.socketRefused((cause as { reason?: string }).reason ?? '');
            // 4008 (too slow) and everything else: wsClient reconnects and resumes by itself.
          },
        })
      : null;

  const transport: TRPCLink<AppRouter> =
    session && live && wsClient
      ? transportLink<AppRouter>({
          selector: live.selector,
          onStreamState: live.onStreamState,
          links: {
            ws: { calls: http, subscriptions: wsLink({ client: wsClient }) },
            // The browser's EventSource sends the session cookie by itself (same origin): no token in the URL.
            http: {
              calls: http,
              subscriptions: refusalLink(
                streamSlotsLink(httpSubscriptionLink({ url: `${base}/trpc` }), {
                  max: openStreamsFor(pageProtocol()),
                  priority: screen.priority,
                  onPriorityChange: screen.onChange,
                }),
                session.socketRefused,
              ),
            },
          },
        })
      : http;
  const trpcClient = createTRPCClient<AppRouter>({
    links: session ? [refreshRetryLink(session), transport] : [transport],
  });

  return {
    queryClient,
    trpcClient,
    wsClient,
    live,
    dispose() {
      void wsClient?.close();
      live?.dispose();
      screen.dispose();
      queryClient.clear();
    },
  };
}

/**
 * Builds the clients in an effect (not during render) so React's dev-mode
 * double mount closes the first socket instead of leaking it. Key it by who
 * is signed in: a new person gets new clients, a renewed token does not.
 */
export function HubbubProvider(props: { session: SessionAccess | null; children: ReactNode }) {
  const { session } = props;
  const [clients, setClients] = useState<Clients | null>(null);
  const live = useMemo(() => ({ wsClient: clients?.wsClient ?? null, live: clients?.live ?? null }), [clients]);
  useEffect(() => {
    const next = createClients(session);
    setClients(next);
    return () => next.dispose();
  }, [session]);
  if (!clients) return null;
  return createElement(
    QueryClientProvider,
    { client: clients.queryClient },
    createElement(TRPCProvider, {
      trpcClient: clients.trpcClient,
      queryClient: clients.queryClient,
      children: createElement(
        LiveConnectionContext.Provider,
        { value: live },
        createElement(FileSessionContext.Provider, { value: session }, props.children),
      ),
    }),
  );
}

/** The protocol this page came over ('h2', 'http/1.1', …): it decides how many EventSources may stay open. */
function pageProtocol(): string | undefined {
  const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
  return navigation?.nextHopProtocol;
}
