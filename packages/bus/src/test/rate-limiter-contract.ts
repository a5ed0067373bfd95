import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimiters } from '../rate-limiter';

/** The rate-limiter contract: run it against every store (memory, Redis). */
export function rateLimiterContract(name: string, open: () => RateLimiters): void {
  describe(name, () => {
    let store: RateLimiters;
    beforeEach(async () => {
      store = open();
      await store.ready();
    });
    afterEach(async () => {
      await store.close();
    });
    /** Rule names unique per test, so a shared Redis cannot mix tests up. */
    const rule = (points: number, durationMs = 60_000) => ({ name: `contract-${randomUUID()}`, points, durationMs });

    it('allows the budget, then refuses with the time left in the window', async () => {
      const limiter = store.limiter(rule(3, 60_000));
      for (let i = 0; i < 3; i++) expect(await limiter.consume('alice')).toEqual({ allowed: true });
      const refused = await limiter.consume('alice');
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
    });

    it('keeps one budget per key and per rule', async () => {
      const shared = rule(1);
      const a = store.limiter(shared);
      const other = store.limiter(rule(1));
      expect((await a.consume('alice')).allowed).toBe(true);
      expect((await a.consume('alice')).allowed).toBe(false);
      expect((await a.consume('bob')).allowed).toBe(true);
      expect((await other.consume('alice')).allowed).toBe(true);
    });

    it('takes several points at once and refuses a take larger than what is left', async () => {
      const limiter = store.limiter(rule(5));
      expect((await limiter.consume('k', 4)).allowed).toBe(true);
      expect((await limiter.consume('k', 2)).allowed).toBe(false);
    });

    it('counts what was used and gives it all back on reset', async () => {
      const limiter = store.limiter(rule(2));
      expect(await limiter.used('k')).toBe(0);
      await limiter.consume('k');
      expect(await limiter.used('k')).toBe(1);
      await limiter.consume('k');
      expect((await limiter.consume('k')).allowed).toBe(false);
      await limiter.reset('k');
      expect(await limiter.used('k')).toBe(0);
      expect((await limiter.consume('k')).allowed).toBe(true);
    });
  });
}
