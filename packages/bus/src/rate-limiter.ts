import type { RateDecision, RateLimiter } from '@hubbub/core';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** A budget: `points` per window of `durationMs` (fixed windows, whole seconds). */
export interface RateRule {
  /** Names the budget in the store ("writes", "login-failures"): limiters of one store never share keys. */
  name: string;
  points: number;
  durationMs: number;
}

/** Makes the limiters of one store (process memory, or one Redis shared by a cluster). */
export interface RateLimiters {
  readonly kind: 'memory' | 'redis';
  limiter(rule: RateRule): RateLimiter;
  /** Resolves once the store answers (until then a Redis store counts in memory). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The port over a rate-limiter-flexible limiter: a refusal is an answer, not an exception. */
function wrap(limiter: RateLimiterAbstract): RateLimiter {
  return {
    async consume(key, points = 1): Promise<RateDecision> {
      try {
        await limiter.consume(key, points);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: refusal.msBeforeNext };
        throw refusal;
      }
    },
    async used(key) {
      return (await limiter.get(key))?.consumedPoints ?? 0;
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

const memoryLimiter = (rule: RateRule) =>
  new RateLimiterMemory({ keyPrefix: rule.name, points: rule.points, duration: seconds(rule.durationMs) });

/** One rule's limiter in this process's memory (one instance, tests). */
export function createMemoryRateLimiter(rule: RateRule): RateLimiter {
  return wrap(memoryLimiter(rule));
}

/** Limiters in this process's memory: the default, single-instance Hubbub. */
export function createMemoryRateLimiters(): RateLimiters {
  return { kind: 'memory', limiter: createMemoryRateLimiter, ready: async () => {}, close: async () => {} };
}

/**
 * Limiters shared by every instance through Redis, on one connection. While
 * Redis is unreachable each instance falls back to its own memory limiter
 * (limits per instance for a while) rather than refusing or waiting.
 */
export function createRedisRateLimiters(options: {
  url: string;
  prefix: string;
  onError?(error: unknown): void;
}): RateLimiters {
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectionName: `${options.prefix}:rate-limits:${process.pid}`,
  });
  redis.on('error', (error) => options.onError?.(error));
  return {
    kind: 'redis',
    limiter: (rule) =>
      wrap(
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${options.prefix}:rl:${rule.name}`,
          points: rule.points,
          duration: seconds(rule.durationMs),
          rejectIfRedisNotReady: true,
          insuranceLimiter: memoryLimiter(rule),
        }),
      ),
    async ready() {
      if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    },
    async close() {
      redis.disconnect();
    },
  };
}
