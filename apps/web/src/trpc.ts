import type { AppRouter } from '@hubbub/api';
import { backoffWithJitter } from '@hubbub/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
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
import { errorCode, errorMessage } from './lib/errors';
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
 * One set of clients per session: a token change (login, logout) builds new
 * ones, so no cache or socket outlives the user it belonged to.
 */
export function createClients(token: string | null, onUnauthorized: (reason: string) => void): Clients {
  const base = `${window.location.protocol}//${window.location.host}`;
  const wsClient = token
    ? createWSClient({
        url: `${base.replace(/^http/, 'ws')}/ws`,
        connectionParams: () => ({ token }),
        lazy: { enabled: false, closeMs: 0 },
        keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 10_000 },
        retryDelayMs: (attempt) => backoffWithJitter(attempt),
        onClose: (cause) => {
          // 4401: the server refused this token; retrying with it would loop forever.
          if (cause?.code === CLOSE_CODES.unauthorized) onUnauthorized('Your session has ended. Please log in again.');
          // 4008 (too slow) and everything else: wsClient reconnects and resumes by itself.
        },
      })
    : null;

  const http = httpBatchLink({
    url: `${base}/trpc`,
    headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
  });
  const link: TRPCLink<AppRouter> = wsClient
    ? splitLink({ condition: (op) => op.type === 'subscription', true: wsLink({ client: wsClient }), false: http })
    : http;
  const trpcClient = createTRPCClient<AppRouter>({ links: [link] });

  const expired = (error: unknown) => {
    if (token && errorCode(error) === 'UNAUTHORIZED') onUnauthorized('Your session has expired. Please log in again.');
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError: expired }),
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => {
        expired(error);
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
 * double mount closes the first socket instead of leaking it.
 */
export function HubbubProvider(props: {
  token: string | null;
  onUnauthorized: (reason: string) => void;
  children: ReactNode;
}) {
  const { token, onUnauthorized } = props;
  const [clients, setClients] = useState<Clients | null>(null);
  useEffect(() => {
    const next = createClients(token, onUnauthorized);
    setClients(next);
    return () => next.dispose();
  }, [token, onUnauthorized]);
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
