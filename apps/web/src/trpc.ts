import type { AppRouter } from '@hubbub/api';
import { backoffWithJitter, LIMITS } from '@hubbub/core';
import { MutationCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react';
import type { SessionAccess } from './features/auth/session-controller';
import { errorCode, errorMessage } from './lib/errors';
import { refreshRetryLink } from './lib/refresh-retry-link';
import { toast } from './lib/toast';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Close codes the server uses (packages/api CLOSE_CODES; copied because that
 * package is server code and only its types may reach the bundle).
 */
export const CLOSE_CODES = { unauthorized: 4401, slowConsumer: 4008 } as const;

export type WsClient = ReturnType<typeof createWSClient>;
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
  const wsClient = session
    ? createWSClient({
        url: `${base.replace(/^http/, 'ws')}/ws`,
        // Called on every (re)connect: the socket presents the token of that moment, renewed first if it expired.
        connectionParams: async () => {
          const token = await session.freshToken();
          return token ? { token } : {};
        },
        lazy: { enabled: false, closeMs: 0 },
        keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 10_000 },
        retryDelayMs: (attempt) => backoffWithJitter(attempt),
        onClose: (cause) => {
          // 4401: the server refused this socket's credentials: renew the token, or sign out with its reason.
          if (cause?.code === CLOSE_CODES.unauthorized)
            session.socketRefused((cause as { reason?: string }).reason ?? '');
          // 4008 (too slow) and everything else: wsClient reconnects and resumes by itself.
        },
      })
    : null;

  const http = httpBatchLink({
    url: `${base}/trpc`,
    // The server refuses bigger batches.
    maxItems: LIMITS.httpBatch,
    headers: (): Record<string, string> => {
      const token = session?.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });
  const transport: TRPCLink<AppRouter> = wsClient
    ? splitLink({ condition: (op) => op.type === 'subscription', true: wsLink({ client: wsClient }), false: http })
    : http;
  const trpcClient = createTRPCClient<AppRouter>({
    links: session ? [refreshRetryLink(session), transport] : [transport],
  });

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

  return {
    queryClient,
    trpcClient,
    wsClient,
    dispose() {
      void wsClient?.close();
      queryClient.clear();
    },
  };
}

const WsClientContext = createContext<WsClient | null>(null);

/** The socket behind subscriptions, for the connection badge. */
export function useWsClient(): WsClient | null {
  return useContext(WsClientContext);
}

/**
 * Builds the clients in an effect (not during render) so React's dev-mode
 * double mount closes the first socket instead of leaking it. Key it by who
 * is signed in: a new person gets new clients, a renewed token does not.
 */
export function HubbubProvider(props: { session: SessionAccess | null; children: ReactNode }) {
  const { session } = props;
  const [clients, setClients] = useState<Clients | null>(null);
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
      children: createElement(WsClientContext.Provider, { value: clients.wsClient }, props.children),
    }),
  );
}
