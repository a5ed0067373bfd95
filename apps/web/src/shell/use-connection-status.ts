import type { Transport } from '@hubbub/client/transport';
import { useEffect, useState } from 'react';
import { useStore } from '../lib/store';
import { useLiveTransport, useWsClient } from './live-connection';

export type ConnectionStatus = 'connected' | 'connecting' | 'reconnecting' | 'offline';

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

const NO_STREAMS = { connecting: 0, live: 0 };

/**
 * How the live updates are doing, and over what. On the WebSocket: its state
 * ('pending' means open, 'connecting' covers the first connect and every
 * reconnect, 'idle' means closed). On HTTP (the socket is blocked): the
 * Server-Sent Events streams, live while one is. Either way
 * combined with the browser's own idea of being offline.
 */
export function useConnectionStatus(): { status: ConnectionStatus; transport: Transport } {
  const ws = useWsClient();
  const live = useLiveTransport();
  const online = useOnline();
  const [state, setState] = useState(() => ws?.connectionState.get().state ?? 'idle');
  const [everConnected, setEverConnected] = useState(false);
  const transport = useStore(live?.mode ?? FALLBACK_MODE, (mode) => mode);
  const streams = useStore(live?.streams ?? FALLBACK_STREAMS, (s) => s);

  useEffect(() => {
    if (!ws) return;
    const sub = ws.connectionState.subscribe({
      next: (s) => {
        setState(s.state);
        if (s.state === 'pending') setEverConnected(true);
      },
    });
    return () => sub.unsubscribe();
  }, [ws]);
  useEffect(() => {
    if (transport === 'http' && streams.live > 0) setEverConnected(true);
  }, [transport, streams.live]);

  if (!online) return { status: 'offline', transport };
  if (transport === 'http') {
    // Live while any stream is (over HTTP/1.1 some wait their turn on purpose: see lib/stream-slots.ts).
    if (streams.live > 0 || streams.connecting === 0) return { status: 'connected', transport };
    return { status: everConnected ? 'reconnecting' : 'connecting', transport };
  }
  if (state === 'idle') return { status: 'offline', transport };
  if (state === 'pending') return { status: 'connected', transport };
  return { status: everConnected ? 'reconnecting' : 'connecting', transport };
}

// Signed out there is no transport: stores that never change stand in.
const FALLBACK_MODE = { get: () => 'ws' as const, set() {}, subscribe: () => () => {} };
const FALLBACK_STREAMS = { get: () => NO_STREAMS, set() {}, subscribe: () => () => {} };
