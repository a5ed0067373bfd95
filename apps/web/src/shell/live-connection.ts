import { createContext, useContext } from 'react';
import type { LiveTransport } from '../lib/live-transport';
import type { Clients, WsClient } from '../trpc';

/** The signed-in person's live connection; HubbubProvider provides it with the clients (nulls while signed out). */
export const LiveConnectionContext = createContext<Pick<Clients, 'wsClient' | 'live'>>({ wsClient: null, live: null });

/** The socket behind subscriptions, for the connection badge. */
export function useWsClient(): WsClient | null {
  return useContext(LiveConnectionContext).wsClient;
}

/** Which transport carries the live updates, for the connection badge. */
export function useLiveTransport(): LiveTransport | null {
  return useContext(LiveConnectionContext).live;
}
