import { type ConnectionStatus, useConnectionStatus } from './use-connection-status';

const LABELS: Record<ConnectionStatus, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/**
 * Always visible, so nobody types into a dead connection without knowing. On
 * HTTP (a proxy refused the WebSocket) it says so: everything still works.
 */
export function ConnectionBadge() {
  const { status, transport } = useConnectionStatus();
  const label = status === 'connected' && transport === 'http' ? 'Live (HTTP)' : LABELS[status];
  return (
    <output
      className={`badge badge-${status}`}
      data-testid="connection-badge"
      data-status={status}
      data-transport={transport}
      title={
        transport === 'http'
          ? 'WebSockets are blocked on this network: live updates come over HTTP (Server-Sent Events)'
          : undefined
      }
      aria-live="polite"
    >
      <span className="dot" aria-hidden="true" />
      {label}
    </output>
  );
}
