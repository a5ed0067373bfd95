import { join } from 'node:path';
import {
  ChannelHub,
  type ClusterRegistry,
  createLocalPresence,
  createMemoryBus,
  createMemoryRateLimiters,
  createRedisBus,
  createRedisCluster,
  createRedisPresence,
  createRedisRateLimiters,
  type InstanceInfo,
  type Presence,
  type RateLimiters,
  type RedisBus,
} from '@hubbub/bus';
import type { Bus } from '@hubbub/core';
import { createPostgresStores, createSqliteStores, type Stores } from '@hubbub/db';
import type { ResolvedConfig } from './config';
import { sleep } from './wait';

/** What the API stands on: storage, the bus and what rides on it. */
export interface Backends {
  stores: Stores;
  bus: Bus;
  /** The Redis bus, in a cluster (readiness pings it; its reconnects resync the streams). */
  redisBus: RedisBus | null;
  hub: ChannelHub;
  presence: Presence;
  /** The live instances, in a cluster. */
  cluster: ClusterRegistry | null;
  rateLimiters: RateLimiters;
  /** Closes each backend after those that use it, the stores last. */
  close(): Promise<void>;
}

/** How long the limits wait for Redis at start before counting locally meanwhile. */
const LIMITS_READY_WITHIN_MS = 1000;

/**
 * One instance: SQLite (or PostgreSQL) and the in-process bus. A cluster:
 * PostgreSQL and Redis for the bus, presence, the instance list and the
 * limits. `self` describes this instance to the others.
 */
export async function openBackends(config: ResolvedConfig, self: () => InstanceInfo): Promise<Backends> {
  const { logger, instance, presenceTtlMs: ttlMs } = config;
  const stores: Stores = config.postgres
    ? await createPostgresStores(config.postgres.url, { poolSize: config.postgres.poolSize })
    : await createSqliteStores(config.dataDir ? join(config.dataDir, 'hubbub.db') : ':memory:');
  const redis = config.redis && { ...config.redis, onError: (err: unknown) => logger.warn({ err }, 'redis error') };
  const redisBus = redis ? createRedisBus(redis) : null;
  const bus: Bus = redisBus ?? createMemoryBus();
  const hub = new ChannelHub(bus);
  const presence: Presence = redis
    ? createRedisPresence({ ...redis, instance, bus, ttlMs })
    : createLocalPresence(bus, (channelId) => hub.online(channelId));
  hub.setPresenceListener((topic, users) => presence.changed(topic, users));
  const cluster = redis ? createRedisCluster({ ...redis, ttlMs, self }) : null;
  const rateLimiters = redis ? createRedisRateLimiters(redis) : createMemoryRateLimiters();
  // Shared limits count in Redis from the start; it answers within a second, or they count locally meanwhile.
  await Promise.race([rateLimiters.ready(), sleep(LIMITS_READY_WITHIN_MS)]);
  return {
    stores,
    bus,
    redisBus,
    hub,
    presence,
    cluster,
    rateLimiters,
    async close() {
      hub.close();
      await presence.close();
      await cluster?.close();
      await bus.close();
      await rateLimiters.close();
      await stores.close();
    },
  };
}
