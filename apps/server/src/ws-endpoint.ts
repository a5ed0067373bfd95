import { appRouter, createWsContext } from '@hubbub/api';
import { LIMITS } from '@hubbub/core';
import { applyWSSHandler } from '@hubbub/trpc-ws';
import type { App } from './compose';
import { safePath } from './logger';
import type { ProcedureErrorHandler } from './procedure-errors';

/** Calls one socket may have running at once; more wait (the socket is paused meanwhile). */
const MAX_IN_FLIGHT_PER_SOCKET = 16;

/**
 * The API over WebSockets (Hubbub's own adapter of tRPC's protocol): each
 * socket must sign in within the deadline, is authenticated once and guarded
 * by the credential guard afterwards, and is logged when it comes and goes.
 */
export function serveWebSockets(app: App, onError: ProcedureErrorHandler) {
  const { wss, deps, addresses, credentials, config } = app;
  const { logger } = config;
  wss.on('connection', (ws, req) => {
    credentials.expectSignIn(ws, config.signInTimeoutMs);
    const ip = addresses.clientAddress(req);
    logger.info({ ip, path: safePath(req.url) }, 'ws connected');
    ws.on('close', (code) => logger.info({ ip, code }, 'ws disconnected'));
    ws.on('error', (err) => logger.warn({ ip, err: err.message }, 'ws error'));
  });
  return applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, ...config.keepAlive },
    limits: {
      maxBatch: LIMITS.wsBatch,
      maxInFlight: MAX_IN_FLIGHT_PER_SOCKET,
      maxSubscriptions: LIMITS.subscriptionsPerConnection,
      maxBufferedBytes: config.limits.maxBufferedBytes,
    },
    onError,
    createContext: async ({ req, res: ws, info }) => {
      const ctx = await createWsContext(deps, {
        req,
        connection: { close: (code, reason) => ws.close(code, reason), bufferedAmount: () => ws.bufferedAmount },
        connectionParams: info.connectionParams,
        address: addresses.clientAddress(req),
      });
      credentials.track(ws, ctx);
      if (ctx.user) logger.info({ userId: ctx.user.id, handle: ctx.user.handle }, 'ws authenticated');
      return ctx;
    },
  });
}

export type WebSocketEndpoint = ReturnType<typeof serveWebSockets>;
