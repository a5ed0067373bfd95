import { Redis } from 'ioredis';
import { DEFAULT_INSTANCE_TTL_MS } from './instance-ttl';

export interface InstanceInfo {
  instance: string;
  [key: string]: unknown;
}

export interface ClusterRegistry {
  /** Live instances (those that refreshed within the TTL), this one included. */
  instances(): Promise<InstanceInfo[]>;
  close(): Promise<void>;
}

/** Each instance announces itself every few seconds; an instance that stops doing so drops out after the TTL. */
export function createRedisCluster(options: {
  url: string;
  prefix: string;
  self: () => InstanceInfo;
  ttlMs?: number;
  onError?(error: unknown): void;
}): ClusterRegistry {
  const ttl = options.ttlMs ?? DEFAULT_INSTANCE_TTL_MS;
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    connectionName: `${options.prefix}:cluster:${options.self().instance}`,
  });
  redis.on('error', (error) => options.onError?.(error));
  const zkey = `${options.prefix}:instances`;
  const hkey = `${options.prefix}:instance-info`;
  const announce = async () => {
    const info = options.self();
    await redis
      .multi()
      .zadd(zkey, Date.now() + ttl, info.instance)
      .hset(hkey, info.instance, JSON.stringify(info))
      .zremrangebyscore(zkey, '-inf', Date.now())
      .exec();
  };
  announce().catch((error) => options.onError?.(error));
  const timer = setInterval(() => announce().catch((error) => options.onError?.(error)), ttl / 3);
  timer.unref();
  return {
    async instances() {
      const names = await redis.zrangebyscore(zkey, Date.now(), '+inf');
      if (names.length === 0) return [];
      const infos = await redis.hmget(hkey, ...names);
      return infos.flatMap((text, i) =>
        text ? [JSON.parse(text) as InstanceInfo] : [{ instance: names[i] as string }],
      );
    },
    async close() {
      clearInterval(timer);
      try {
        const me = options.self().instance;
        await redis.multi().zrem(zkey, me).hdel(hkey, me).exec();
      } catch {
        // Redis gone: the TTL cleans up.
      }
      redis.disconnect();
    },
  };
}
