import { useEffect, useState } from 'react';
import { useWsClient } from '../../trpc';

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

/**
 * The WebSocket's state ('pending' means open, 'connecting' covers the first
 * connect and every reconnect, 'idle' means closed) combined with the
 * browser's own idea of being offline.
 */
export function useConnectionStatus(): ConnectionStatus {
  const ws = useWsClient();
  const online = useOnline();
  const [state, setState] = useState(() => ws?.connectionState.get().state ?? 'idle');
  const [everConnected, setEverConnected] = useState(false);

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

  if (!online || state === 'idle') return 'offline';
  if (state === 'pending') return 'connected';
  return everConnected ? 'reconnecting' : 'connecting';
}
