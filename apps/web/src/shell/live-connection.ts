import type { createWSClient } from '@trpc/client';
import { createContext, useContext } from 'react';
import type { LiveTransport } from '../lib/live-transport';

export type WsClient = ReturnType<typeof createWSClient>;

/** The signed-in person's live connection (nulls while signed out). */
export interface LiveConnection {
  wsClient: WsClient | null;
  /** Which transport carries the live updates (WebSocket, or HTTP when it is blocked). */
  live: LiveTransport | null;
}

/** The signed-in person's live connection; HubbubProvider provides it with the clients (nulls while signed out). */
export const LiveConnectionContext = createContext<LiveConnection>({ wsClient: null, live: null });

/** The socket behind subscriptions, for the connection badge. */
export function useWsClient(): WsClient | null {
  return useContext(LiveConnectionContext).wsClient;
}

/** Which transport carries the live updates, for the connection badge. */
export function useLiveTransport(): LiveTransport | null {
  return useContext(LiveConnectionContext).live;
}
