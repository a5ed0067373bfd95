import { describe, expect, it } from 'vitest';
import { backoffWithJitter } from './backoff';

describe('backoffWithJitter (full jitter)', () => {
  it('is 0 when the random draw is 0', () => {
    for (let attempt = 0; attempt < 10; attempt++) expect(backoffWithJitter(attempt, 500, 15_000, () => 0)).toBe(0);
  });

  it('grows the window exponentially from the base', () => {
    const top = (attempt: number) => backoffWithJitter(attempt, 500, 15_000, () => 1);
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000]);
  });

  it('scales the window by the random draw', () => {
    expect(backoffWithJitter(2, 500, 15_000, () => 0.5)).toBe(1_000);
    expect(backoffWithJitter(0, 500, 15_000, () => 0.25)).toBe(125);
  });

  it('stays within [0, min(cap, base * 2^attempt)] for any draw in [0, 1)', () => {
    const draws = [0, 0.001, 0.1, 0.37, 0.5, 0.73, 0.999, 0.999_999];
    for (let attempt = 0; attempt < 40; attempt++) {
      const window = Math.min(15_000, 500 * 2 ** attempt);
      for (const draw of draws) {
        const delay = backoffWithJitter(attempt, 500, 15_000, () => draw);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(window);
      }
    }
  });

  it('caps the window even for huge attempt numbers', () => {
    expect(backoffWithJitter(5_000, 500, 15_000, () => 0.999_999)).toBe(15_000);
    expect(backoffWithJitter(5_000, 500, 15_000, () => 0.5)).toBe(7_500);
  });

  it('uses the defaults (500 ms base, 15 s cap)', () => {
    expect(backoffWithJitter(0, undefined, undefined, () => 1)).toBe(500);
    expect(backoffWithJitter(10, undefined, undefined, () => 1)).toBe(15_000);
  });
});
