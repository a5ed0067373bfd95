import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import {
  type AppDeps,
  appRouter,
  createAppDeps,
  createHttpContext,
  createTokenService,
  createWsContext,
  failStaleRuns,
  type RateLimit,
  type SystemStatus,
} from '@hubbub/api';
import { Assistant, CONTROL_TOPIC, createOfflineModel } from '@hubbub/assistant';
import {
  ChannelHub,
  createLocalPresence,
  createMemoryBus,
  createRedisBus,
  createRedisCluster,
  createRedisPresence,
  type Presence,
} from '@hubbub/bus';
import { AppError, type Bus, type ModelProvider, systemClock } from '@hubbub/core';
import { createPostgresStores, createSqliteStores, type Stores } from '@hubbub/db';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { WebSocketServer } from 'ws';
import { type Logger, safePath } from './logger';
import { renderMetrics } from './metrics';
import { isOriginAllowed } from './origin';
import { createStaticHandler } from './static-files';
import { createWsHandler } from './ws/ws-handler';

export interface HubbubConfig {
  /** Where the SQLite file lives; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** PostgreSQL instead of SQLite (several instances share it). */
  postgres?: { url: string; poolSize?: number };
  /** The Redis bus instead of the in-process one (several instances fan out through it). */
  redis?: { url: string; prefix?: string };
  /** This process's name in a cluster (default host-pid). */
  instance?: string;
  /** Cluster mode: how long a killed instance, and its users' presence, stays listed (default 15 s). */
  presenceTtlMs?: number;
  secret: string;
  tokenTtlSeconds: number;
  allowedOrigins: string[];
  webDir: string;
  logger: Logger;
  rateLimit?: RateLimit;
  /** Events a slow subscriber may have queued before it is disconnected to resume later. */
  queueCapacity?: number;
  /** Unsent bytes a subscriber's socket may hold before it is disconnected to resume later. */
  maxBufferedBytes?: number;
  maxPayloadBytes?: number;
  keepAlive?: { pingMs: number; pongWaitMs: number };
  /** A running task whose worker is silent this long is failed ("worker timed out"). */
  taskTimeoutMs?: number;
  assistant?: {
    /** The model; default: the built-in offline model. */
    model?: ModelProvider;
    systemPrompt?: string;
    maxOutputTokens?: number;
    /** Pace of the built-in offline model. */
    offlineTokenIntervalMs?: number;
    deltaIntervalMs?: number;
  };
}

export interface Hubbub {
  server: Server;
  /** The WebSocket server (tests drop connections through it). */
  wss: WebSocketServer;
  deps: AppDeps;
  listen(port: number, host?: string): Promise<number>;
  /** Graceful stop: no new connections, clients told to reconnect, in-flight work finished, database closed. */
  shutdown(): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** Builds a whole Hubbub (stores, bus, hub, API, HTTP + WebSocket on one server) without listening. */
export async function createHubbub(config: HubbubConfig): Promise<Hubbub> {
  const { logger } = config;
  const startedAt = Date.now();
  const instance = config.instance ?? `${hostname()}-${process.pid}`;
  const maxPayload = config.maxPayloadBytes ?? 1024 * 1024;

  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const stores: Stores = config.postgres
    ? await createPostgresStores(config.postgres.url, { poolSize: config.postgres.poolSize })
    : await createSqliteStores(config.dataDir ? join(config.dataDir, 'hubbub.db') : ':memory:');
  const redisPrefix = config.redis?.prefix ?? 'hubbub';
  const logRedisError = (error: unknown) => logger.warn({ err: error }, 'redis error');
  const redisBus = config.redis
    ? createRedisBus({ url: config.redis.url, prefix: redisPrefix, onError: logRedisError })
    : null;
  const bus: Bus = redisBus ?? createMemoryBus();
  const hub = new ChannelHub(bus, { queueCapacity: config.queueCapacity });
  const presence: Presence = config.redis
    ? createRedisPresence({
        url: config.redis.url,
        prefix: redisPrefix,
        instance,
        bus,
        ttlMs: config.presenceTtlMs,
        onError: logRedisError,
      })
    : createLocalPresence(bus, (channelId) => hub.online(channelId));
  hub.setPresenceListener((topic, users) => presence.changed(topic, users));
  const cluster = config.redis
    ? createRedisCluster({
        url: config.redis.url,
        prefix: redisPrefix,
        ttlMs: config.presenceTtlMs,
        onError: logRedisError,
        self: () => ({
          instance,
          version: VERSION,
          connections: wss.clients.size,
          startedAt: new Date(startedAt).toISOString(),
        }),
      })
    : null;
  redisBus?.onReconnect(() => {
    // Events may have been published while we were away: every stream re-reads its store.
    logger.warn('redis reconnected: resyncing streams');
    hub.resync();
  });
  const assistantConfig = config.assistant ?? {};
  const assistant = new Assistant({
    chat: stores.chat,
    bus,
    model:
      assistantConfig.model ??
      createOfflineModel({
        tokenIntervalMs: assistantConfig.offlineTokenIntervalMs,
        facts: { taskStats: () => stores.tasks.stats(Date.now()) },
      }),
    systemPrompt: assistantConfig.systemPrompt,
    maxOutputTokens: assistantConfig.maxOutputTokens,
    deltaIntervalMs: assistantConfig.deltaIntervalMs,
    instance,
    onFailure: (reason, err, messageId) => logger.warn({ reason, messageId, err }, 'assistant reply failed'),
  });
  // Requests from other instances (e.g. stop a reply streaming here): one bus subscription, no hub.
  const detachControl = await bus.subscribe(CONTROL_TOPIC, (event) => {
    if (event.kind === 'control') assistant.handleControl(event.command);
  });
  /** Replies a dead instance left streaming are failed (at start, and now and then in a cluster). */
  const recoverReplies = async () => {
    const alive = new Set((await cluster?.instances())?.map((i) => i.instance) ?? []);
    const failed = await assistant.recoverInterrupted((name) => alive.has(name));
    if (failed > 0) logger.warn({ failed }, 'marked interrupted assistant replies as failed');
  };
  await recoverReplies();
  const replySweeper = cluster ? setInterval(() => recoverReplies().catch(() => {}), 30_000) : null;
  replySweeper?.unref();

  const status = async (): Promise<SystemStatus> => ({
    version: VERSION,
    instance,
    uptimeS: Math.round((Date.now() - startedAt) / 1000),
    connections: wss.clients.size,
    subscriptions: hub.stats.subscriptions,
    channels: hub.stats.channels,
    store: stores.kind,
    bus: bus.kind,
    instances: cluster ? await cluster.instances().catch(() => []) : [{ instance, connections: wss.clients.size }],
  });

  const deps = createAppDeps({
    stores,
    bus,
    hub,
    presence,
    assistant,
    clock: systemClock,
    tokens: createTokenService(config.secret, config.tokenTtlSeconds),
    rateLimit: config.rateLimit,
    limits: config.maxBufferedBytes ? { maxBufferedBytes: config.maxBufferedBytes } : {},
    status,
  });

  /** One log line per failure that matters; expected domain errors (AppError) are not server faults. */
  const onError = ({ error, path, type }: { error: TRPCError; path?: string; type: string }) => {
    const code = error.cause instanceof AppError ? error.cause.code : error.code;
    if (code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else if (code === 'UNAUTHORIZED' && !path) logger.warn({ reason: error.message }, 'auth failure');
  };

  const taskTimeoutMs = config.taskTimeoutMs ?? 5 * 60_000;
  const sweeper = setInterval(
    () => {
      failStaleRuns(deps, taskTimeoutMs)
        .then((n) => n > 0 && logger.warn({ failed: n }, 'stale task runs failed'))
        .catch((err) => logger.error({ err }, 'stale run sweep failed'));
    },
    Math.max(50, Math.min(30_000, taskTimeoutMs / 4)),
  );
  sweeper.unref();

  const wsHandler = createWsHandler({
    router: appRouter,
    keepAlive: config.keepAlive ?? { pingMs: 30_000, pongWaitMs: 10_000 },
    onError,
    createContext: async ({ req, ws, connectionParams }) => {
      const ctx = await createWsContext(deps, {
        req,
        connection: { close: (code, reason) => ws.close(code, reason), bufferedAmount: () => ws.bufferedAmount },
        connectionParams,
      });
      if (ctx.user) logger.info({ userId: ctx.user.id, handle: ctx.user.handle }, 'ws authenticated');
      return ctx;
    },
  });

  wss.on('connection', (ws, req) => {
    wsHandler.onConnection(ws, req);
    const ip = req.socket.remoteAddress;
    logger.info({ ip, path: safePath(req.url) }, 'ws connected');
    ws.on('close', (code) => logger.info({ ip, code }, 'ws disconnected'));
    ws.on('error', (err) => logger.warn({ ip, err: err.message }, 'ws error'));
  });

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: maxPayload,
    onError,
    createContext: ({ req }) => createHttpContext(deps, req),
  });
  const serveStatic = createStaticHandler(config.webDir);
  const json = (res: import('node:http').ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  let stopping = false;
  /** Ready when not stopping and the database (and Redis) answer. */
  const readiness = async () => {
    if (stopping) return { ready: false, reason: 'stopping' };
    try {
      await stores.ping();
      await redisBus?.ping();
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: error instanceof Error ? error.message : 'a backend is unreachable' };
    }
  };

  const server = createServer((req, res) => {
    const path = safePath(req.url);
    if (path.startsWith('/trpc/')) return trpcHttp(req, res);
    if (path === '/healthz') return json(res, 200, { ok: true });
    if (path === '/readyz') {
      readiness().then((ready) => json(res, ready.ready ? 200 : 503, ready));
      return;
    }
    if (path === '/api/status') {
      status().then((body) => json(res, 200, body));
      return;
    }
    if (path === '/metrics') {
      status().then((body) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics(body));
      });
      return;
    }
    serveStatic(req, res);
  });

  // One function for every socket: a closure here would keep each connection's upgrade request alive.
  function destroySocket(this: Duplex) {
    this.destroy();
  }
  const reject = (socket: Duplex, code: number, text: string) => {
    socket.end(`HTTP/1.1 ${code} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    if (safePath(req.url) !== '/ws') return reject(socket, 404, 'Not Found');
    if (stopping) return reject(socket, 503, 'Service Unavailable');
    if (!isOriginAllowed(req, config.allowedOrigins)) {
      logger.warn({ origin: req.headers.origin }, 'ws origin refused');
      return reject(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  return {
    server,
    wss,
    deps,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    async shutdown() {
      if (stopping) return;
      stopping = true;
      clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      wsHandler.broadcastReconnectNotification(wss);
      // Give clients a moment to leave on their own, then close the rest as "restarting".
      await waitUntil(() => wss.clients.size === 0, 1000);
      for (const ws of wss.clients) ws.close(1012, 'server restarting');
      await waitUntil(() => wss.clients.size === 0, 1000);
      for (const ws of wss.clients) ws.terminate();
      await assistant.stopAll();
      await detachControl();
      if (replySweeper) clearInterval(replySweeper);
      await Promise.race([closed, sleep(5000).then(() => server.closeAllConnections())]);
      await presence.close();
      await cluster?.close();
      await bus.close();
      await stores.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await sleep(20);
}
