import type { IncomingMessage, Server } from 'node:http';
import type { AppDeps } from '@hubbub/api';
import type { WebSocketServer } from 'ws';
import { createBackgroundJobs } from './background-jobs';
import { composeApp } from './compose';
import { type HubbubConfig, resolveConfig } from './config';
import { createConnectionCap } from './http/connection-cap';
import { createEdgeServer } from './http/edge-server';
import { createHubbubRoutes } from './http/routes';
import { logProcedureErrors } from './procedure-errors';
import { orderedShutdown } from './shutdown';
import { createUpgradeGuard } from './upgrade-guard';
import { serveWebSockets } from './ws-endpoint';

export type { HubbubConfig } from './config';

export interface Hubbub {
  server: Server;
  /** The WebSocket server (tests drop connections through it). */
  wss: WebSocketServer;
  deps: AppDeps;
  /** The client's address of a request: the peer's, or the one a trusted proxy forwarded. */
  clientAddress(req: IncomingMessage): string;
  /** Starts the background work, then listens; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful stop: no new connections, clients told to reconnect, in-flight work finished, database closed. */
  shutdown(): Promise<void>;
}

/** Builds a whole Hubbub (stores, bus, hub, API, HTTP + WebSocket on one server); nothing runs until listen(). */
export async function createHubbub(input: HubbubConfig): Promise<Hubbub> {
  const config = resolveConfig(input);
  const { logger } = config;
  const app = await composeApp(config);
  const lifecycle = { stopping: false };
  const isStopping = () => lifecycle.stopping;
  const onError = logProcedureErrors(logger);
  const ws = serveWebSockets(app, onError);
  const server = createEdgeServer({
    logger,
    cap: createConnectionCap(config.maxConnectionsPerAddress, app.addresses, logger),
    timeouts: config.httpTimeouts,
    onRequest: createHubbubRoutes(app, { onError, isStopping }),
    onUpgrade: createUpgradeGuard({ wss: app.wss, allowedOrigins: config.allowedOrigins, logger, isStopping }),
  });
  const jobs = createBackgroundJobs(app);
  const stop = orderedShutdown({ app, server, ws, jobs });

  return {
    server,
    wss: app.wss,
    deps: app.deps,
    clientAddress: app.addresses.clientAddress,
    async listen(port, host) {
      await jobs.start();
      return listenOn(server, port, host);
    },
    async shutdown() {
      if (lifecycle.stopping) return;
      lifecycle.stopping = true;
      await stop();
    },
  };
}

/**
 * Connections the kernel holds while the server is busy accepting (the system's somaxconn caps it).
 * Node's 511 overflowed in a reconnect storm: 18,000–36,000 of 5,000 clients' connection attempts
 * dropped (each retried by the client's kernel 1, 3, 7 s later); 4,096 dropped none (pnpm bench:storm).
 */
const LISTEN_BACKLOG = 4096;

function listenOn(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
