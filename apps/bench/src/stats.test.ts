import { describe, expect, it } from 'vitest';
import {
  cpuPerDelivery,
  gapsAndDuplicates,
  parseProcStat,
  parseRss,
  percentile,
  rssPerConnection,
  summarize,
} from './stats';

describe('benchmark arithmetic', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p99: 5, max: 5 });
  });

  it('divides CPU by deliveries and memory by connections', () => {
    expect(cpuPerDelivery(1.5, 100_000)).toBe(15);
    expect(cpuPerDelivery(1, 0)).toBeNaN();
    expect(rssPerConnection(100 * 1024 * 1024, 140 * 1024 * 1024, 5000)).toBeCloseTo(8.192, 3);
  });

  it('reads CPU ticks and RSS from /proc text (command names may hold spaces and parentheses)', () => {
    const stat = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 123 456 789';
    expect(parseProcStat(stat)).toBe(3);
    expect(parseRss('Name:\tnode\nVmRSS:\t   20480 kB\nThreads:\t11\n')).toBe(20480 * 1024);
  });

  it('counts gaps and duplicates in an offset sequence', () => {
    expect(gapsAndDuplicates([1, 2, 2, 4, 5], 6)).toEqual({ missing: 2, duplicates: 1 });
    expect(gapsAndDuplicates([3, 1, 2], 3)).toEqual({ missing: 0, duplicates: 0 });
  });
});
