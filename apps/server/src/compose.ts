import {
  type AppDeps,
  createAppDeps,
  createPasswordHasher,
  createRateLimiterSet,
  createTokenService,
  ensureBuiltInAgent,
  type SystemStatus,
  strengthChecker,
} from '@hubbub/api';
import type { Assistant } from '@hubbub/assistant';
import { systemClock } from '@hubbub/core';
import { WebSocketServer } from 'ws';
import { agentToolset } from './agent-tools/tools';
import { createAssistant } from './assistant-host';
import { type Backends, openBackends } from './backends';
import type { ResolvedConfig } from './config';
import { type CredentialGuard, createCredentialGuard } from './credentials';
import { type ClientAddresses, createClientAddresses } from './http/client-address';
import { createSseStreams, type SseStreams } from './http/sse-streams';
import { createPush, type PushNotifier } from './push';
import { createStatus, instanceInfo } from './status';

/** Everything the server's transports serve, built once; nothing here listens or runs a timer. */
export interface App {
  config: ResolvedConfig;
  /** The WebSocket server (no port of its own: the HTTP server hands it upgrades). */
  wss: WebSocketServer;
  addresses: ClientAddresses;
  backends: Backends;
  assistant: Assistant;
  /** Web Push: closed in shutdown, before the stores. */
  push: PushNotifier;
  deps: AppDeps;
  /** Ends open sockets and streams with their credentials. */
  credentials: CredentialGuard;
  sse: SseStreams;
  status(): Promise<SystemStatus>;
}

/** Opens the backends and builds the API's dependencies on them. */
export async function composeApp(config: ResolvedConfig): Promise<App> {
  const startedAt = Date.now();
  // First: a bad trusted-proxy entry throws before any database is opened.
  const addresses = createClientAddresses(config.trustedProxies);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayloadBytes });
  const backends = await openBackends(config, instanceInfo(config.instance, startedAt, wss));
  // The built-in @assistant is in the registry (agent.list, the pickers) from the first start on.
  await ensureBuiltInAgent(backends.stores.agents);
  const assistant = createAssistant(config, backends);
  const status = createStatus({ instance: config.instance, startedAt, wss, backends });
  const push = await createPush(backends.stores, config.push ?? {}, config.logger);
  const deps = apiDeps(config, backends, assistant, push, status);
  const credentials = createCredentialGuard(wss, deps);
  resyncAfterRedisReconnect(config, backends, credentials);
  return {
    config,
    wss,
    addresses,
    backends,
    assistant,
    push,
    deps,
    credentials,
    sse: createSseStreams({ guard: credentials, maxPerUser: config.maxSseStreamsPerUser }),
    status,
  };
}

function apiDeps(
  config: ResolvedConfig,
  backends: Backends,
  assistant: Assistant,
  push: PushNotifier,
  status: () => Promise<SystemStatus>,
): AppDeps {
  const { stores, bus, hub, presence, rateLimiters } = backends;
  const strength = strengthChecker();
  // The estimator loads its dictionaries now, not during the first person's signup.
  strength.warm();
  return createAppDeps({
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
    rateLimits: createRateLimiterSet(rateLimiters, config.limits),
    limits: config.limits,
    push,
    agentTools: agentToolset,
    status,
  });
}

/**
 * Events may have been published while Redis was away: every stream re-reads
 * its store, and every socket's credentials are checked again (a revocation
 * may have been missed).
 */
function resyncAfterRedisReconnect(config: ResolvedConfig, backends: Backends, credentials: CredentialGuard): void {
  const { logger } = config;
  backends.redisBus?.onReconnect(() => {
    logger.warn('redis reconnected: resyncing streams');
    backends.hub.resync();
    credentials.recheckAll().catch((err) => logger.error({ err }, 'credential re-check failed'));
  });
}
