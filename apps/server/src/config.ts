import { hostname } from 'node:os';
import { DEFAULT_LIMITS, type LimitSettings } from '@hubbub/api';
import type { ModelProvider } from '@hubbub/assistant';
import type { RateLimiter } from '@hubbub/core';
import { DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './http/connection-cap';
import type { HttpTimeouts } from './http/edge-server';
import type { Logger } from './logger';
import type { PushSettings } from './push';

export interface HubbubConfig {
  /** Where the SQLite file lives; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** PostgreSQL instead of SQLite (several instances share it). */
  postgres?: { url: string; poolSize?: number };
  /** The Redis bus instead of the in-process one (several instances fan out through it). */
  redis?: { url: string; prefix?: string };
  /** This process's name in a cluster (default host-pid). */
  instance?: string;
  /** Cluster mode: how long a killed instance, and its users' presence, stays listed (default in @hubbub/bus: 15 s). */
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
  /** How long a sign-in lasts at most, however often its tokens are refreshed (default in @hubbub/api: 30 days). */
  sessionMaxAgeMs?: number;
  /** A WebSocket that has not signed in (a valid token) this long after opening is closed (default 10 s). */
  signInTimeoutMs?: number;
  /** Server-Sent Events streams one person may hold open on this instance (default 100, http/sse-streams.ts). */
  maxSseStreamsPerUser?: number;
  /** Largest WebSocket message or HTTP request body (default 1 MiB). */
  maxPayloadBytes?: number;
  /** HUBBUB_MAX_UPLOAD_BYTES: the largest file POST /api/files takes (default 10 MiB); larger ones get 413. */
  maxUploadBytes?: number;
  keepAlive?: { pingMs: number; pongWaitMs: number };
  /** Web Push: VAPID keys and contact (default: keys kept in the database), and the tests' loopback switch. */
  push?: PushSettings;
  /** A running task whose worker is silent this long is failed ("worker timed out"; default 5 minutes). */
  taskTimeoutMs?: number;
  assistant?: {
    /** The model; default: the built-in offline model. */
    model?: ModelProvider;
    systemPrompt?: string;
    maxOutputTokens?: number;
    /** Pace of the built-in offline model. */
    offlineTokenIntervalMs?: number;
    deltaIntervalMs?: number;
    /** Replies generating at once on this instance (default in @hubbub/assistant: 4); more wait in line. */
    maxConcurrent?: number;
    /** Replies that may wait in line on this instance (default in @hubbub/assistant: 100); beyond it requests are refused. */
    maxQueue?: number;
    /** Replies one person may ask for per day, retries included (0 or unset = unlimited). */
    dailyReplies?: number;
    /** Counts `dailyReplies` per user id; default: the server's own limiters (memory, or Redis in a cluster). */
    dailyReplyLimiter?: RateLimiter;
  };
}

/**
 * The server's own defaults, each stated here once. env.ts leaves these
 * settings unset when the environment does, so main.ts, the launchers, the
 * test harness and the bench all get the same values. Settings another module
 * owns (HTTP timeouts, SSE streams, session age, presence TTL, the assistant's
 * queue) keep their default there and pass through unresolved.
 */
export const SERVER_DEFAULTS = {
  redisPrefix: 'hubbub',
  maxPayloadBytes: 1024 * 1024,
  maxUploadBytes: 10 * 1024 * 1024,
  keepAlive: { pingMs: 30_000, pongWaitMs: 10_000 },
  signInTimeoutMs: 10_000,
  taskTimeoutMs: 5 * 60_000,
  maxConnectionsPerAddress: DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
} as const;

/** The configuration with every server default filled in. */
export interface ResolvedConfig extends HubbubConfig {
  redis?: { url: string; prefix: string };
  instance: string;
  maxPayloadBytes: number;
  maxUploadBytes: number;
  keepAlive: { pingMs: number; pongWaitMs: number };
  signInTimeoutMs: number;
  taskTimeoutMs: number;
  maxConnectionsPerAddress: number;
  limits: LimitSettings;
}

export function resolveConfig(config: HubbubConfig): ResolvedConfig {
  const d = SERVER_DEFAULTS;
  return {
    ...config,
    redis: config.redis && { url: config.redis.url, prefix: config.redis.prefix ?? d.redisPrefix },
    instance: config.instance ?? `${hostname()}-${process.pid}`,
    maxPayloadBytes: config.maxPayloadBytes ?? d.maxPayloadBytes,
    maxUploadBytes: config.maxUploadBytes ?? d.maxUploadBytes,
    keepAlive: config.keepAlive ?? d.keepAlive,
    signInTimeoutMs: config.signInTimeoutMs ?? d.signInTimeoutMs,
    taskTimeoutMs: config.taskTimeoutMs ?? d.taskTimeoutMs,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
  };
}
