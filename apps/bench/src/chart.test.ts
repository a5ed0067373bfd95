import { describe, expect, it } from 'vitest';
import { decadesUpTo, LABEL_RIGHT, logPosition, renderChart } from './chart';
import { emptyResults } from './results';
import type { FanoutResult } from './scenarios';
import { SERVER_NAMES } from './server-process';
import { fanoutRun } from './test-fixtures';

const run = (server: FanoutResult['server'], subscribers: number, over: Partial<FanoutResult> = {}): FanoutResult =>
  fanoutRun(server, { subscribers, rate: subscribers === 1000 ? 50 : 10, ...over });

describe('the benchmark chart', () => {
  it('places values on a log axis: each decade the same width, clamped at both ends', () => {
    expect(logPosition(1, 1, 1000, 300)).toBe(0);
    expect(logPosition(10, 1, 1000, 300)).toBeCloseTo(100);
    expect(logPosition(100, 1, 1000, 300)).toBeCloseTo(200);
    expect(logPosition(1000, 1, 1000, 300)).toBe(300);
    expect(logPosition(0.2, 1, 1000, 300)).toBe(0);
    expect(logPosition(50_000, 1, 1000, 300)).toBe(300);
  });

  it('draws the latency axis in decades from 1 ms, at least to 1 s, far enough for the slowest', () => {
    expect(decadesUpTo(90)).toEqual([1, 10, 100, 1000]);
    expect(decadesUpTo(13_858)).toEqual([1, 10, 100, 1000, 10_000, 100_000]);
  });

  it('has a panel per fan-out size, the p99 target only where it applies, and flags lost deliveries', () => {
    const r = emptyResults('2 × test cpu', '2026-12-02');
    r.fanout.push(
      run('raw-ws', 1000, { cpuUsPerDelivery: 12 }),
      run('hubbub', 1000, { cpuUsPerDelivery: 15 }),
      run('raw-ws', 5000),
      run('stock-trpc', 5000, { cpuUsPerDelivery: 80, delivered: 330_134, p50: 8000, p99: 13_000, max: 13_858 }),
    );
    const svg = renderChart(r);
    expect(svg).toContain('>1000 subscribers<');
    expect(svg).toContain('>5000 subscribers<');
    expect(svg.match(/p99 target/g)).toHaveLength(1);
    expect(svg).toContain('15.0 µs · 1.25×');
    expect(svg).toContain('80.0 µs · 8.00×');
    expect(svg).toContain('330134/500000 delivered');
    expect(svg).toContain('p50 8000.0 · p99 13000.0 · max 13858.0 ms');
    expect(svg).toContain('2 × test cpu, 2026-12-02');
  });

  it('names each row by its server, every name within the label column (7 px a character at 13 px)', () => {
    for (const name of Object.values(SERVER_NAMES)) expect(name.length * 7).toBeLessThanOrEqual(LABEL_RIGHT);
    const r = emptyResults('test', '2026-12-02');
    r.fanout.push(run('raw-ws', 1000), run('trpc-ws', 1000, { cpuUsPerDelivery: 25 }), run('stock-trpc', 1000));
    const svg = renderChart(r);
    expect(svg).toContain('>tRPC generator on @hubbub/trpc-ws<');
    expect(svg).toContain('>tRPC generator on the stock adapter<');
    expect(svg).toContain('25.0 µs · 2.50×');
  });
});
