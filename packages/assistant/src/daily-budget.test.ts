import { createMemoryRateLimiter } from '@hubbub/bus';
import { AppError } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { spendReply } from './daily-budget';

describe('spendReply', () => {
  it('takes one reply per call and refuses past the budget, per person, saying when more come', async () => {
    const budget = {
      limiter: createMemoryRateLimiter({ name: 'test-replies', points: 2, durationMs: 24 * 3_600_000 }),
      replies: 2,
    };
    await spendReply(budget, 'alice');
    await spendReply(budget, 'alice');
    const refused = await spendReply(budget, 'alice').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect((refused as AppError).message).toMatch(/^You have used today's 2 assistant replies; more in (23|24) h$/);
    expect((refused as AppError).details.retryAfterMs).toBeGreaterThan(23 * 3_600_000);
    // Someone else still has theirs.
    await expect(spendReply(budget, 'bob')).resolves.toBeUndefined();
  });

  it('without a budget, never refuses', async () => {
    await expect(spendReply(undefined, 'alice')).resolves.toBeUndefined();
  });
});
