import type { IncomingMessage, ServerResponse } from 'node:http';
import { appRouter, createHttpContext, retryAfterMs, type SystemStatus } from '@hubbub/api';
import { LIMITS } from '@hubbub/core';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { App } from '../compose';
import { createMcpHandler } from '../mcp/endpoint';
import { renderMetrics } from '../metrics';
import type { ProcedureErrorHandler } from '../procedure-errors';
import { isHttps, sessionCookieExchange } from '../session-cookie';
import { createDownloadHandler } from './downloads';
import type { EdgeRequestHandler } from './edge-server';
import { createOpsAccess, type OpsAccess } from './ops-access';
import { json } from './respond';
import { createStaticHandler } from './static-files';
import { createUploadHandler } from './uploads';

/** `reason` is generic ("a backend is unreachable"): the detail goes to the log, not to whoever asks. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface HubbubRoutes {
  trpc(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  readiness(): Promise<Readiness>;
  status(): Promise<SystemStatus>;
  opsAccess(req: IncomingMessage): Promise<OpsAccess>;
  serveStatic(req: IncomingMessage, res: ServerResponse): void;
  /** POST /api/files (upload) and GET /api/files/<id>[/thumbnail] (download), bearer token required. */
  files(req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void>;
  /** POST /mcp: the Model Context Protocol door for agents (API key required). */
  mcp(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/** Hubbub's HTTP routes: the API, open health checks, operator data behind a token, then the web app. */
export function createRouteHandler(routes: HubbubRoutes): EdgeRequestHandler {
  return async (req, res, path) => {
    if (path.startsWith('/trpc/')) return routes.trpc(req, res);
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/mcp') return routes.mcp(req, res);
    if (path === '/api/files' || path.startsWith('/api/files/')) return routes.files(req, res, path);
    if (path === '/readyz') {
      const ready = await routes.readiness();
      return json(res, ready.ready ? 200 : 503, ready);
    }
    if (path === '/api/status' || path === '/metrics') {
      const access = await routes.opsAccess(req);
      if (access.kind === 'denied') {
        return json(res, 401, { error: 'unauthorized', reason: access.reason }, { 'www-authenticate': 'Bearer' });
      }
      const status = await routes.status();
      if (path === '/api/status') return json(res, 200, status);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(status));
      return;
    }
    routes.serveStatic(req, res);
  };
}

/** Hubbub's routes over its composed app: what createHubbub hands the edge server. */
export function createHubbubRoutes(
  app: App,
  options: { onError: ProcedureErrorHandler; isStopping(): boolean },
): EdgeRequestHandler {
  const { deps, addresses, config } = app;
  return createRouteHandler({
    trpc: createTrpcHttpHandler(app, options.onError),
    readiness: createReadiness(app, options.isStopping),
    status: app.status,
    opsAccess: createOpsAccess({
      metricsToken: config.metricsToken,
      isAdmin: async (req) =>
        (await createHttpContext(deps, req, { address: addresses.clientAddress(req) })).user?.role === 'admin',
    }),
    serveStatic: createStaticHandler(config.webDir),
    files: createFileRoutes(app),
    mcp: createMcpHandler(app, options.onError),
  });
}

/** Attachments: uploads on /api/files, downloads below it. */
function createFileRoutes(app: App): HubbubRoutes['files'] {
  const upload = createUploadHandler(app);
  const download = createDownloadHandler(app);
  return (req, res, path) => (path === '/api/files' ? upload(req, res) : download(req, res, path));
}

/** The API over HTTP: calls, and subscriptions as Server-Sent Events; the browser's session cookie rides here. */
function createTrpcHttpHandler(app: App, onError: ProcedureErrorHandler) {
  const { deps, addresses, sse, config } = app;
  return createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: config.maxPayloadBytes,
    onError,
    maxBatchSize: LIMITS.httpBatch,
    createContext: ({ req, res, info }) =>
      createHttpContext(deps, req, {
        address: addresses.clientAddress(req),
        exchange: sessionCookieExchange(
          req,
          res,
          isHttps(req, addresses.isTrustedProxy(req.socket.remoteAddress ?? '')),
        ),
        stream: info.type === 'subscription' ? sse.forRequest(req, res, info.connectionParams) : undefined,
      }),
    // A refusal that says when to come back says it in the standard header too.
    responseMeta: ({ errors }) => {
      const wait = retryAfterMs(errors);
      return wait ? { headers: { 'retry-after': String(Math.ceil(wait / 1000)) } } : {};
    },
  });
}

/** Ready when not stopping and the database (and Redis) answer; why not goes to the log, not to the caller. */
function createReadiness({ backends, config }: App, isStopping: () => boolean): () => Promise<Readiness> {
  return async () => {
    if (isStopping()) return { ready: false, reason: 'stopping' };
    try {
      await backends.stores.ping();
      await backends.redisBus?.ping();
      return { ready: true };
    } catch (error) {
      config.logger.warn({ err: error }, 'not ready: a backend is unreachable');
      return { ready: false, reason: 'a backend is unreachable' };
    }
  };
}
