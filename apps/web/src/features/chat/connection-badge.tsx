import { type ConnectionStatus, useConnectionStatus } from './use-connection-status';

const LABELS: Record<ConnectionStatus, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Always visible, so nobody types into a dead connection without knowing. */
export function ConnectionBadge() {
  const status = useConnectionStatus();
  return (
    <output className={`badge badge-${status}`} data-testid="connection-badge" data-status={status} aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {LABELS[status]}
    </output>
  );
}
