import { describe, expect, it } from 'vitest';
import { connectRate, connectSeconds, shares, verdicts } from './figures';

describe('scale figures', () => {
  it('the connect rate runs from the first subscription confirmed to the last, over every load process', () => {
    const windows = [
      { startedAt: 0, first: 100, last: 1100, subscribed: 1000 },
      { startedAt: 10, first: 150, last: 2100, subscribed: 1001 },
    ];
    expect(connectRate(windows)).toBe(1000);
    expect(connectSeconds(windows)).toBe(2.1);
  });

  it('a run with nothing subscribed has no rate', () => {
    expect(connectRate([{ startedAt: 0, first: Number.NaN, last: Number.NaN, subscribed: 0 }])).toBeNaN();
  });

  it('shares split a count as evenly as they can', () => {
    expect(shares(19_500, 4)).toEqual([4875, 4875, 4875, 4875]);
    expect(shares(10, 3)).toEqual([4, 3, 3]);
  });

  it('judges each target against raw ws of the same run, and a figure not measured as not met', () => {
    const raw = { kbPerConnection: 8, connectsPerSecond: 5000, cpuUsPerDelivery: 2 };
    const met = verdicts({ kbPerConnection: 12, connectsPerSecond: 2000, cpuUsPerDelivery: 3 }, raw);
    expect(met.map((v) => v.met)).toEqual([true, true, true]);
    const missed = verdicts({ kbPerConnection: 12.1, connectsPerSecond: Number.NaN, cpuUsPerDelivery: 3.1 }, raw);
    expect(missed.map((v) => v.met)).toEqual([false, false, false]);
  });
});
