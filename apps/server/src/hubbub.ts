import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  type AppDeps,
  appRouter,
  createAppDeps,
  createHttpContext,
  createPasswordHasher,
  createRateLimiterSet,
  createTokenService,
  createWsContext,
  DEFAULT_LIMITS,
  failStaleRuns,
  type LimitSettings,
  type SystemStatus,
  strengthChecker,
} from '@hubbub/api';
import { Assistant, CONTROL_TOPIC, createOfflineModel } from '@hubbub/assistant';
import {
  ChannelHub,
  createLocalPresence,
  createMemoryBus,
  createMemoryRateLimiters,
  createRedisBus,
  createRedisCluster,
  createRedisPresence,
  createRedisRateLimiters,
  type Presence,
} from '@hubbub/bus';
import { AppError, type Bus, LIMITS, type ModelProvider, type RateLimiter, systemClock } from '@hubbub/core';
import { createPostgresStores, createSqliteStores, type Stores } from '@hubbub/db';
import { applyWSSHandler } from '@hubbub/trpc-ws';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { WebSocketServer } from 'ws';
import { createCredentialGuard } from './credentials';
import { createClientAddresses } from './http/client-address';
import { createConnectionCap, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './http/connection-cap';
import { createEdgeServer, type HttpTimeouts } from './http/edge-server';
import { createOpsAccess } from './http/ops-access';
import { rawReply } from './http/respond';
import { createRouteHandler, type Readiness } from './http/routes';
import { createSseStreams } from './http/sse-streams';
import { createStaticHandler } from './http/static-files';
import { type Logger, safePath } from './logger';
import { isOriginAllowed } from './origin';
import { isHttps, sessionCookieExchange } from './session-cookie';

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
  /** HUBBUB_METRICS_TOKEN: a bearer token that opens /metrics and /api/status (an admin's token always does). */
  metricsToken?: string;
  /** Open connections one client address may hold; 0 = no cap (load tests). Default 64 (http/connection-cap.ts). */
  maxConnectionsPerAddress?: number;
  /** Proxies whose X-Forwarded-For names the client (proxy-addr syntax: IPs, CIDRs, `loopback`…). Default none. */
  trustedProxies?: string[];
  /** Deadlines for a request's arrival (defaults in http/edge-server.ts: headers within 10 s). */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** Abuse limits (defaults in @hubbub/api DEFAULT_LIMITS; docs/security.md lists them). */
  limits?: Partial<LimitSettings>;
  /** How long a sign-in lasts at most, however often its tokens are refreshed (default 30 days). */
  sessionMaxAgeMs?: number;
  /** A WebSocket that has not signed in (a valid token) this long after opening is closed (default 10 s). */
  signInTimeoutMs?: number;
  /** Server-Sent Events streams one person may hold open on this instance (default 100). */
  maxSseStreamsPerUser?: number;
  /** Events a slow subscriber may have queued before it is disconnected to resume later. */
  queueCapacity?: number;
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
    /** Replies generating at once on this instance (default 4); more wait in line. */
    maxConcurrent?: number;
    /** Replies that may wait in line on this instance (default 100); beyond it requests are refused. */
    maxQueue?: number;
    /** Replies one person may ask for per day, retries included (0 or unset = unlimited). */
    dailyReplies?: number;
    /** Counts `dailyReplies` per user id; default: the server's own limiters (memory, or Redis in a cluster). */
    dailyReplyLimiter?: RateLimiter;
  };
}

export interface Hubbub {
  server: Server;
  /** The WebSocket server (tests drop connections through it). */
  wss: WebSocketServer;
  deps: AppDeps;
  /** The client's address of a request: the peer's, or the one a trusted proxy forwarded. */
  clientAddress(req: IncomingMessage): string;
  listen(port: number, host?: string): Promise<number>;
  /** Graceful stop: no new connections, clients told to reconnect, in-flight work finished, database closed. */
  shutdown(): Promise<void>;
}

const DAY_MS = 24 * 3_600_000;

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** Builds a whole Hubbub (stores, bus, hub, API, HTTP + WebSocket on one server) without listening. */
export async function createHubbub(config: HubbubConfig): Promise<Hubbub> {
  const { logger } = config;
  const startedAt = Date.now();
  const instance = config.instance ?? `${hostname()}-${process.pid}`;
  const maxPayload = config.maxPayloadBytes ?? 1024 * 1024;

  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const addresses = createClientAddresses(config.trustedProxies);
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
    // Events may have been published while we were away: every stream re-reads its store,
    // and every socket's credentials are checked again (a revocation may have been missed).
    logger.warn('redis reconnected: resyncing streams');
    hub.resync();
    credentials.recheckAll().catch((err) => logger.error({ err }, 'credential re-check failed'));
  });
  const rateLimiters = config.redis
    ? createRedisRateLimiters({ url: config.redis.url, prefix: redisPrefix, onError: logRedisError })
    : createMemoryRateLimiters();
  // Shared limits count in Redis from the start; it answers within a second, or they count locally meanwhile.
  await Promise.race([rateLimiters.ready(), sleep(1000)]);
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
    maxConcurrent: assistantConfig.maxConcurrent,
    maxQueue: assistantConfig.maxQueue,
    // One budget per person and day, shared by the cluster when the limits are on Redis.
    dailyBudget: assistantConfig.dailyReplies
      ? {
          limiter:
            assistantConfig.dailyReplyLimiter ??
            rateLimiters.limiter({
              name: 'assistant-replies',
              points: assistantConfig.dailyReplies,
              durationMs: DAY_MS,
            }),
          replies: assistantConfig.dailyReplies,
        }
      : undefined,
    instance,
    onFailure: (reason, err, messageId) => logger.warn({ reason, messageId, err }, 'assistant reply failed'),
  });
  // Requests between instances (stop a reply streaming here, close a revoked key's sockets): one bus subscription.
  const detachControl = await bus.subscribe(CONTROL_TOPIC, (event) => {
    if (event.kind !== 'control') return;
    if (event.command.type === 'end-credentials') {
      const closed = credentials.end(event.command);
      if (closed > 0) logger.info({ closed, reason: event.command.reason }, 'closed connections of ended credentials');
    } else assistant.handleControl(event.command);
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

  const limits = { ...DEFAULT_LIMITS, ...config.limits };
  const strength = strengthChecker();
  strength.warm();

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
    sessionMaxAgeMs: config.sessionMaxAgeMs,
    passwords: createPasswordHasher(),
    strength,
    rateLimits: createRateLimiterSet(rateLimiters, limits),
    limits,
    status,
  });
  const credentials = createCredentialGuard(wss, deps);
  const sse = createSseStreams({ guard: credentials, maxPerUser: config.maxSseStreamsPerUser });

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
  // Sockets whose sign-in reached its absolute end are closed; ended sessions are forgotten after a day.
  const sessionSweeper = setInterval(() => {
    const now = Date.now();
    credentials.closeExpired(now);
    stores.sessions.prune(new Date(now - 86_400_000).toISOString()).catch((err) => {
      logger.error({ err }, 'session prune failed');
    });
  }, 60_000);
  sessionSweeper.unref();

  wss.on('connection', (ws, req) => {
    credentials.expectSignIn(ws, config.signInTimeoutMs ?? 10_000);
    const ip = addresses.clientAddress(req);
    logger.info({ ip, path: safePath(req.url) }, 'ws connected');
    ws.on('close', (code) => logger.info({ ip, code }, 'ws disconnected'));
    ws.on('error', (err) => logger.warn({ ip, err: err.message }, 'ws error'));
  });
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, ...(config.keepAlive ?? { pingMs: 30_000, pongWaitMs: 10_000 }) },
    limits: {
      maxBatch: LIMITS.wsBatch,
      maxInFlight: 16,
      maxSubscriptions: LIMITS.subscriptionsPerConnection,
      maxBufferedBytes: limits.maxBufferedBytes,
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

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: maxPayload,
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
      const wait = errors
        .map((e) => (e.cause instanceof AppError ? e.cause.details.retryAfterMs : undefined))
        .find(Boolean);
      return wait ? { headers: { 'retry-after': String(Math.ceil(wait / 1000)) } } : {};
    },
  });
  let stopping = false;
  /** Ready when not stopping and the database (and Redis) answer; why not goes to the log, not to the caller. */
  const readiness = async (): Promise<Readiness> => {
    if (stopping) return { ready: false, reason: 'stopping' };
    try {
      await stores.ping();
      await redisBus?.ping();
      return { ready: true };
    } catch (error) {
      logger.warn({ err: error }, 'not ready: a backend is unreachable');
      return { ready: false, reason: 'a backend is unreachable' };
    }
  };

  const server = createEdgeServer({
    logger,
    cap: createConnectionCap(config.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, addresses, logger),
    timeouts: config.httpTimeouts,
    onRequest: createRouteHandler({
      trpc: trpcHttp,
      readiness,
      status,
      opsAccess: createOpsAccess({
        metricsToken: config.metricsToken,
        isAdmin: async (req) =>
          (await createHttpContext(deps, req, { address: addresses.clientAddress(req) })).user?.role === 'admin',
      }),
      serveStatic: createStaticHandler(config.webDir),
    }),
    onUpgrade: (req, socket, head, path) => {
      if (path !== '/ws') return rawReply(socket, '404 Not Found');
      if (stopping) return rawReply(socket, '503 Service Unavailable');
      if (!isOriginAllowed(req, config.allowedOrigins)) {
        logger.warn({ origin: req.headers.origin }, 'ws origin refused');
        return rawReply(socket, '403 Forbidden');
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
  });

  return {
    server,
    wss,
    deps,
    clientAddress: addresses.clientAddress,
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
      clearInterval(sessionSweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      wsHandler.broadcastReconnectNotification();
      // Give clients a moment to leave on their own, then close the rest as "restarting".
      await waitUntil(() => wss.clients.size === 0, 1000);
      for (const ws of wss.clients) ws.close(1012, 'server restarting');
      sse.cutAll();
      await waitUntil(() => wss.clients.size === 0, 1000);
      for (const ws of wss.clients) ws.terminate();
      await assistant.stopAll();
      await detachControl();
      if (replySweeper) clearInterval(replySweeper);
      await Promise.race([closed, sleep(5000).then(() => server.closeAllConnections())]);
      await presence.close();
      await cluster?.close();
      await bus.close();
      await rateLimiters.close();
      await stores.close();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await sleep(20);
}
