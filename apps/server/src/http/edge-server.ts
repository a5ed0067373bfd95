import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Logger, safePath } from '../logger';
import { type ConnectionCap, RETRY_AFTER_S } from './connection-cap';
import { parseRequestTarget } from './request-target';
import { json, rawReply } from './respond';
import { createSecurityHeaders } from './security-headers';

/** Deadlines for a request's arrival (not for the answer: SSE and long replies are not cut). */
export interface HttpTimeouts {
  /** The request line and headers must arrive within this (slowloris). */
  headersMs: number;
  /** The whole request, body included, must arrive within this. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
  /** How often the server checks the two deadlines above (a late request lives up to this much longer). */
  checkIntervalMs: number;
}

/** A slow-header request is answered 408 and closed after 10–11 s. */
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  checkIntervalMs: 1_000,
};

/** `path` is the request's path (escapes kept, query dropped), already checked to decode. */
export type EdgeRequestHandler = (req: IncomingMessage, res: ServerResponse, path: string) => void | Promise<void>;
export type EdgeUpgradeHandler = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  path: string,
) => void | Promise<void>;

export interface EdgeServerOptions {
  logger: Logger;
  cap: ConnectionCap;
  timeouts?: Partial<HttpTimeouts>;
  onRequest: EdgeRequestHandler;
  onUpgrade: EdgeUpgradeHandler;
}

// One function for every socket: a closure here would keep each connection's upgrade request alive.
function destroySocket(this: Duplex) {
  this.destroy();
}

/**
 * The HTTP server at Hubbub's edge. Every response carries the security
 * headers; a malformed target is a 400 before any handler runs; a connection
 * past its address's cap is a 429; and a handler that throws or rejects costs
 * its own request a 500 (its upgrade a closed socket) and one log line, never
 * the process.
 */
export function createEdgeServer(options: EdgeServerOptions): Server {
  const { logger, cap } = options;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...options.timeouts };
  const securityHeaders = createSecurityHeaders();

  const requestFailed = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    logger.error({ err: error, method: req.method, path: safePath(req.url) }, 'request handler failed');
    if (res.writableEnded) return;
    // Mid-answer: cut the connection rather than append an error to a half-sent body.
    if (res.headersSent) return void res.destroy();
    json(res, 500, { error: 'internal error: the server could not complete this request' }, { connection: 'close' });
  };

  const upgradeFailed = (req: IncomingMessage, socket: Duplex, error: unknown) => {
    logger.error({ err: error, path: safePath(req.url) }, 'upgrade handler failed');
    socket.destroy();
  };

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: Math.max(timeouts.requestMs, timeouts.headersMs),
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    (req, res) => {
      let outcome: void | Promise<void>;
      try {
        securityHeaders(req, res);
        if (cap.isRefused(req.socket)) {
          return json(res, 429, { error: 'too many open connections from your address' }, tooMany);
        }
        const target = parseRequestTarget(req.url);
        if (target.kind !== 'ok') return json(res, 400, { error: `bad request: ${BAD_TARGET[target.kind]}` });
        outcome = options.onRequest(req, res, target.path);
      } catch (error) {
        return requestFailed(req, res, error);
      }
      if (outcome instanceof Promise) outcome.catch((error: unknown) => requestFailed(req, res, error));
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.on('connection', cap.onConnection);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    let outcome: void | Promise<void>;
    try {
      const target = parseRequestTarget(req.url);
      if (target.kind !== 'ok') return rawReply(socket, '400 Bad Request');
      if (!cap.admitUpgrade(req, socket)) return rawReply(socket, '429 Too Many Requests', tooMany);
      outcome = options.onUpgrade(req, socket, head, target.path);
    } catch (error) {
      return upgradeFailed(req, socket, error);
    }
    if (outcome instanceof Promise) outcome.catch((error: unknown) => upgradeFailed(req, socket, error));
  });

  // Requests the parser rejects (bad bytes, oversized headers, deadlines): answered here, never thrown.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || inFlight?.headersSent) return void socket.destroy();
    logger.debug({ code: error.code }, 'malformed request refused');
    rawReply(socket, CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request');
  });

  return server;
}

const tooMany = { 'retry-after': String(RETRY_AFTER_S), connection: 'close' };

const BAD_TARGET = {
  'bad-escape': 'malformed percent-escape in the path',
  'not-a-path': 'the request target must be a path',
} as const;

const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};
