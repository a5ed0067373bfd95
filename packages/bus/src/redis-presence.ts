import type { Bus } from '@hubbub/core';
import { Redis } from 'ioredis';
import { DEFAULT_INSTANCE_TTL_MS } from './instance-ttl';
import type { Presence } from './presence';

export interface RedisPresenceOptions {
  url: string;
  prefix: string;
  /** This process's name in the cluster. */
  instance: string;
  bus: Bus;
  /** A process that stops refreshing (killed) drops out after this long (DEFAULT_INSTANCE_TTL_MS). */
  ttlMs?: number;
  /** How often this process refreshes its users and looks for changes elsewhere. Default ttl / 3. */
  heartbeatMs?: number;
  onError?(error: unknown): void;
}

/**
 * Presence across instances: each channel is a sorted set of `user|instance`
 * scored by expiry time, refreshed by heartbeats. A killed instance's users
 * expire after the TTL; every instance republishes a channel's presence when
 * the cluster-wide list changes.
 */
export function createRedisPresence(options: RedisPresenceOptions): Presence & { refresh(): Promise<void> } {
  const ttl = options.ttlMs ?? DEFAULT_INSTANCE_TTL_MS;
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectionName: `${options.prefix}:presence:${options.instance}`,
  });
  redis.on('error', (error) => options.onError?.(error));
  const key = (channelId: string) => `${options.prefix}:presence:${channelId}`;
  const member = (userId: string) => `${userId}|${options.instance}`;
  /** Channel → this process's users there (what we keep alive in Redis). */
  const local = new Map<string, string[]>();
  /** Channel → the last list published, so unchanged lists are not sent again. */
  const published = new Map<string, string>();

  async function online(channelId: string): Promise<string[]> {
    const members = await redis.zrangebyscore(key(channelId), Date.now(), '+inf');
    return [...new Set(members.map((m) => m.slice(0, m.lastIndexOf('|'))))].sort();
  }

  async function write(channelId: string, users: string[], gone: string[]) {
    const expires = Date.now() + ttl;
    const tx = redis.multi();
    if (gone.length) tx.zrem(key(channelId), ...gone.map(member));
    for (const user of users) tx.zadd(key(channelId), expires, member(user));
    tx.zremrangebyscore(key(channelId), '-inf', Date.now());
    tx.pexpire(key(channelId), ttl * 2);
    await tx.exec();
  }

  async function publishIfChanged(channelId: string) {
    const users = await online(channelId);
    const text = users.join(',');
    if (published.get(channelId) === text) return;
    published.set(channelId, text);
    await options.bus.publish(channelId, { kind: 'signal', channelId, signal: { type: 'presence', online: users } });
  }

  async function refresh() {
    for (const [channelId, users] of local) await write(channelId, users, []);
    for (const channelId of local.keys()) await publishIfChanged(channelId);
  }

  const timer = setInterval(() => refresh().catch((error) => options.onError?.(error)), options.heartbeatMs ?? ttl / 3);
  timer.unref();

  return {
    online,
    changed(channelId, users) {
      const before = local.get(channelId) ?? [];
      const gone = before.filter((u) => !users.includes(u));
      if (users.length) local.set(channelId, users);
      else local.delete(channelId);
      write(channelId, users, gone)
        .then(() => {
          published.delete(channelId);
          return publishIfChanged(channelId);
        })
        .catch((error) => options.onError?.(error));
    },
    refresh,
    async close() {
      clearInterval(timer);
      try {
        for (const [channelId, users] of local) await redis.zrem(key(channelId), ...users.map(member));
      } catch {
        // Redis gone: the TTL cleans up.
      }
      redis.disconnect();
    },
  };
}
