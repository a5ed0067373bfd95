import { describe, expect, it } from 'vitest';
import type { SetupResult } from './run';
import { judgeCluster, setupTable } from './targets';

const result = (over: Partial<SetupResult>): SetupResult => ({
  label: 'setup',
  instances: 1,
  rate: 50,
  p50: 10,
  p99: 100,
  cpuUsPerDelivery: 10,
  cpuSecondsPerInstance: [5],
  delivered: 500,
  expected: 500,
  refused: 0,
  firstRefusal: null,
  closed: {},
  ...over,
});

describe('the cluster targets', () => {
  it('are met at exactly 1.5× the p99 and 1.15× the CPU of the single instance, with everything delivered', () => {
    const verdicts = judgeCluster(result({}), result({ instances: 2, p99: 150, cpuUsPerDelivery: 11.5 }));
    expect(verdicts.map((v) => v.met)).toEqual([true, true, true]);
    expect(verdicts[0]?.measured).toBe('1.50× (150.0 vs 100.0 ms)');
  });

  it('are missed above either ratio, or when a setup lost a delivery', () => {
    const verdicts = judgeCluster(
      result({ delivered: 499 }),
      result({ instances: 2, p99: 151, cpuUsPerDelivery: 11.6 }),
    );
    expect(verdicts.map((v) => v.met)).toEqual([false, false, false]);
  });

  it('prints each instance its own CPU seconds', () => {
    expect(setupTable([result({ cpuSecondsPerInstance: [1.5, 0.25] })])).toContain('| 1.50 + 0.25 |');
  });
});
