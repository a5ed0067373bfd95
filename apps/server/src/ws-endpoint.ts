import { appRouter, type Connection, createWsContext } from '@hubbub/api';
import { LIMITS } from '@hubbub/core';
import { applyWSSHandler } from '@hubbub/trpc-ws';
import type { WebSocket } from 'ws';
import type { App } from './compose';
import { safePath } from './logger';
import type { ProcedureErrorHandler } from './procedure-errors';

/** Calls one socket may have running at once; more wait (the socket is paused meanwhile). */
const MAX_IN_FLIGHT_PER_SOCKET = 16;

/**
 * A socket as its context sees it, with the client's address. Its methods live on the prototype and the
 * socket's log listeners are shared by all sockets: a connection costs this one small object, not closures.
 */
class SocketConnection implements Connection {
  constructor(
    private readonly ws: WebSocket,
    readonly address: string,
  ) {}

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }
}

/**
 * The API over WebSockets (Hubbub's own adapter of tRPC's protocol): each
 * socket must sign in within the deadline, is authenticated once and guarded
 * by the credential guard afterwards, and is logged when it comes and goes.
 */
export function serveWebSockets(app: App, onError: ProcedureErrorHandler) {
  const { wss, deps, addresses, credentials, config } = app;
  const { logger } = config;
  const sockets = new WeakMap<WebSocket, SocketConnection>();
  const ipOf = (ws: WebSocket) => sockets.get(ws)?.address;
  function onSocketClose(this: WebSocket, code: number) {
    logger.info({ ip: ipOf(this), code }, 'ws disconnected');
  }
  function onSocketError(this: WebSocket, err: Error) {
    logger.warn({ ip: ipOf(this), err: err.message }, 'ws error');
  }
  wss.on('connection', (ws, req) => {
    credentials.expectSignIn(ws, config.signInTimeoutMs);
    const socket = new SocketConnection(ws, addresses.clientAddress(req));
    sockets.set(ws, socket);
    logger.info({ ip: socket.address, path: safePath(req.url) }, 'ws connected');
    ws.on('close', onSocketClose);
    ws.on('error', onSocketError);
  });
  return applyWSSHandler({
    wss,
    router: appRouter,
    // The upgrade request is read once, by createContext (token, address); onError never reads it.
    keepUpgradeRequest: false,
    keepAlive: { enabled: true, ...config.keepAlive },
    limits: {
      maxBatch: LIMITS.wsBatch,
      maxInFlight: MAX_IN_FLIGHT_PER_SOCKET,
      maxSubscriptions: LIMITS.subscriptionsPerConnection,
      maxBufferedBytes: config.limits.maxBufferedBytes,
    },
    onError,
    createContext: async ({ req, res: ws, info }) => {
      const socket = sockets.get(ws) ?? new SocketConnection(ws, addresses.clientAddress(req));
      const ctx = await createWsContext(deps, {
        req,
        connection: socket,
        connectionParams: info.connectionParams,
        address: socket.address,
      });
      credentials.track(ws, ctx);
      if (ctx.user) logger.info({ userId: ctx.user.id, handle: ctx.user.handle }, 'ws authenticated');
      return ctx;
    },
  });
}

export type WebSocketEndpoint = ReturnType<typeof serveWebSockets>;
