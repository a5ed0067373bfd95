import type { WebSocketServer } from 'ws';
import type { EdgeUpgradeHandler } from './http/edge-server';
import { rawReply } from './http/respond';
import type { Logger } from './logger';
import { isOriginAllowed } from './origin';

export interface UpgradeGuardOptions {
  wss: WebSocketServer;
  allowedOrigins: readonly string[];
  logger: Logger;
  /** While the server stops, new sockets are refused (503) so clients reconnect elsewhere. */
  isStopping(): boolean;
}

/** Which upgrades become WebSockets: on /ws only, not while stopping, and not from another site's pages. */
export function createUpgradeGuard(options: UpgradeGuardOptions): EdgeUpgradeHandler {
  const { wss, allowedOrigins, logger } = options;
  return (req, socket, head, path) => {
    if (path !== '/ws') return rawReply(socket, '404 Not Found');
    if (options.isStopping()) return rawReply(socket, '503 Service Unavailable');
    if (!isOriginAllowed(req, allowedOrigins)) {
      logger.warn({ origin: req.headers.origin }, 'ws origin refused');
      return rawReply(socket, '403 Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
}
