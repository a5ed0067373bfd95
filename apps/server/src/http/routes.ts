import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SystemStatus } from '@hubbub/api';
import { renderMetrics } from '../metrics';
import type { EdgeRequestHandler } from './edge-server';
import type { OpsAccess } from './ops-access';
import { json } from './respond';

/** `reason` is generic ("a backend is unreachable"): the detail goes to the log, not to whoever asks. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface HubbubRoutes {
  trpc(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  readiness(): Promise<Readiness>;
  status(): Promise<SystemStatus>;
  opsAccess(req: IncomingMessage): Promise<OpsAccess>;
  serveStatic(req: IncomingMessage, res: ServerResponse): void;
}

/** Hubbub's HTTP routes: the API, open health checks, operator data behind a token, then the web app. */
export function createRouteHandler(routes: HubbubRoutes): EdgeRequestHandler {
  return async (req, res, path) => {
    if (path.startsWith('/trpc/')) return routes.trpc(req, res);
    if (path === '/healthz') return json(res, 200, { ok: true });
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
