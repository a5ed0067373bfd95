import type { Server } from 'node:http';
import type { BackgroundJobs } from './background-jobs';
import type { App } from './compose';
import { sleep, waitUntil } from './wait';
import type { WebSocketEndpoint } from './ws-endpoint';

/** How long clients get to leave on their own, then to take their close frame, before their sockets are cut. */
const SOCKETS_LEAVE_WITHIN_MS = 1000;
/** How long in-flight HTTP requests get to finish before their connections are closed. */
const REQUESTS_FINISH_WITHIN_MS = 5000;

/**
 * The graceful stop, in order: the sweepers stop; no new connections; every
 * client is told to reconnect (elsewhere, or here after a restart), then
 * closed as "restarting" and at last cut; the assistant's replies end; in-flight
 * requests finish; the backends close, the database last.
 */
export function orderedShutdown(parts: {
  app: App;
  server: Server;
  ws: WebSocketEndpoint;
  jobs: BackgroundJobs;
}): () => Promise<void> {
  const { app, server, ws, jobs } = parts;
  const { wss } = app;
  return async () => {
    jobs.stopSweepers();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    ws.broadcastReconnectNotification();
    await waitUntil(() => wss.clients.size === 0, SOCKETS_LEAVE_WITHIN_MS);
    for (const socket of wss.clients) socket.close(1012, 'server restarting');
    app.sse.cutAll();
    await waitUntil(() => wss.clients.size === 0, SOCKETS_LEAVE_WITHIN_MS);
    for (const socket of wss.clients) socket.terminate();
    await jobs.stopAssistantWork();
    await Promise.race([closed, sleep(REQUESTS_FINISH_WITHIN_MS).then(() => server.closeAllConnections())]);
    await app.push.close();
    await app.backends.close();
  };
}
