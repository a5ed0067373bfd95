import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimiter, createMemoryRateLimiters, createRedisRateLimiters } from './rate-limiter';
import { rateLimiterContract } from './test/rate-limiter-contract';
import { redisUnreachable } from './test/redis-probe';

const url = process.env.HUBBUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One namespace per run, so concurrent runs on one Redis never see each other. */
const prefix = `hubbub-test-${randomUUID()}`;
const unreachable = await redisUnreachable(url);

rateLimiterContract('memory rate limiters', createMemoryRateLimiters);

describe('memory rate limiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the budget back when the window turns', async () => {
    vi.useFakeTimers();
    const limiter = createMemoryRateLimiter({ name: 'window', points: 1, durationMs: 2_000 });
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(false);
    vi.advanceTimersByTime(2_001);
    expect((await limiter.consume('k')).allowed).toBe(true);
  });
});

describe.skipIf(unreachable !== null)('Redis rate limiters', () => {
  rateLimiterContract('contract', () => createRedisRateLimiters({ url, prefix }));

  it('shares one budget between instances', async () => {
    const first = createRedisRateLimiters({ url, prefix });
    const second = createRedisRateLimiters({ url, prefix });
    try {
      await Promise.all([first.ready(), second.ready()]);
      const rule = { name: `shared-${randomUUID()}`, points: 2, durationMs: 60_000 };
      expect((await first.limiter(rule).consume('alice')).allowed).toBe(true);
      expect((await second.limiter(rule).consume('alice')).allowed).toBe(true);
      expect((await first.limiter(rule).consume('alice')).allowed).toBe(false);
      expect((await second.limiter(rule).consume('alice')).allowed).toBe(false);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('falls back to limits of its own while Redis is unreachable', async () => {
    const errors: unknown[] = [];
    const down = createRedisRateLimiters({ url: 'redis://127.0.0.1:1', prefix, onError: (e) => errors.push(e) });
    try {
      const limiter = down.limiter({ name: 'down', points: 2, durationMs: 60_000 });
      expect((await limiter.consume('alice')).allowed).toBe(true);
      expect((await limiter.consume('alice')).allowed).toBe(true);
      expect((await limiter.consume('alice')).allowed).toBe(false);
    } finally {
      await down.close();
    }
  });
});
