import { describe, expect, it } from 'vitest';
import { emptyResults, type Results } from './results';
import type { FanoutResult, PersistenceRun } from './scenarios';
import { checkTargets } from './targets';

const fanout = (server: FanoutResult['server'], cpu: number, p99 = 20, delivered = 500_000): FanoutResult => ({
  server,
  subscribers: 1000,
  messages: 500,
  rate: 50,
  cpuUsPerDelivery: cpu,
  clientCpuUsPerDelivery: 5,
  deliveriesPerSecond: 49_000,
  p50: 5,
  p99,
  max: 40,
  delivered,
  expected: 500_000,
});

const results = (over: Partial<Results>): Results => ({ ...emptyResults('test', '2026-12-01'), ...over });

const byTarget = (r: Results) => Object.fromEntries(checkTargets(r).map((c) => [c.target, c]));

describe('the performance targets', () => {
  it('compares CPU per delivery with raw ws of the same size, and checks latency and completeness', () => {
    const ok = byTarget(results({ fanout: [fanout('raw-ws', 10), fanout('hubbub', 15)] }));
    expect(ok['server CPU per delivery ≤ 1.5× raw ws (1000 subscribers)']).toEqual({
      target: 'server CPU per delivery ≤ 1.5× raw ws (1000 subscribers)',
      figure: '1.50× (15.00 vs 10.00 µs)',
      met: true,
    });
    expect(ok['p99 publish→receive ≤ 100 ms at 1,000 subscribers × 50 messages/s, all delivered']?.met).toBe(true);

    const slow = byTarget(results({ fanout: [fanout('raw-ws', 10), fanout('hubbub', 15.1, 20, 499_999)] }));
    expect(slow['server CPU per delivery ≤ 1.5× raw ws (1000 subscribers)']?.met).toBe(false);
    expect(slow['p99 publish→receive ≤ 100 ms at 1,000 subscribers × 50 messages/s, all delivered']).toMatchObject({
      figure: '20.0 ms, 499999/500000',
      met: false,
    });
  });

  it('holds Hubbub to 1.2× the floor at 1,000 and 5,000 subscribers, next to the raw ws target', () => {
    const at = (server: FanoutResult['server'], cpu: number, subscribers: number) => ({
      ...fanout(server, cpu),
      subscribers,
      rate: subscribers === 1000 ? 50 : 10,
    });
    const checks = byTarget(
      results({
        fanout: [
          at('raw-ws-floor', 9, 1000),
          at('raw-ws', 11, 1000),
          at('hubbub', 10.79, 1000),
          at('raw-ws-floor', 10, 5000),
          at('raw-ws', 12, 5000),
          at('hubbub', 12.1, 5000),
        ],
      }),
    );
    expect(checks['Hubbub CPU per delivery ≤ 1.2× the floor (1,000 subscribers)']).toEqual({
      target: 'Hubbub CPU per delivery ≤ 1.2× the floor (1,000 subscribers)',
      figure: '1.20× (10.79 vs 9.00 µs)',
      met: true,
    });
    expect(checks['Hubbub CPU per delivery ≤ 1.2× the floor (5,000 subscribers)']).toMatchObject({
      figure: '1.21× (12.10 vs 10.00 µs)',
      met: false,
    });
    expect(checks['server CPU per delivery ≤ 1.5× raw ws (5000 subscribers)']?.met).toBe(true);
    // Without the floor's run (or at another size) there is no floor target.
    const noFloor = checkTargets(results({ fanout: [at('raw-ws', 11, 1000), at('hubbub', 10.79, 1000)] }));
    expect(noFloor.some((c) => c.target.includes('floor'))).toBe(false);
    const other = checkTargets(results({ fanout: [at('raw-ws-floor', 9, 200), at('hubbub', 10.8, 200)] }));
    expect(other.some((c) => c.target.includes('floor'))).toBe(false);
  });

  it('holds Hubbub alone to the targets: the tRPC generator rows, on either adapter, add none and change none', () => {
    const hubbubOnly = checkTargets(results({ fanout: [fanout('raw-ws', 10), fanout('hubbub', 15)] }));
    const withAdapters = checkTargets(
      results({
        fanout: [fanout('raw-ws', 10), fanout('hubbub', 15), fanout('trpc-ws', 16), fanout('stock-trpc', 60, 9000, 1)],
        memory: [
          { server: 'raw-ws', connections: 5000, kbPerConnection: 6 },
          { server: 'hubbub', connections: 5000, kbPerConnection: 11 },
          { server: 'trpc-ws', connections: 5000, kbPerConnection: 30 },
        ],
      }),
    );
    expect(withAdapters.filter((c) => !c.target.startsWith('RSS'))).toEqual(hubbubOnly);
    expect(withAdapters.find((c) => c.target.startsWith('RSS'))).toMatchObject({ figure: '1.83× (11.0 vs 6.0 KB)' });
  });

  it('checks memory against 2× raw ws, and the slow consumer on every count', () => {
    const checks = byTarget(
      results({
        memory: [
          { server: 'raw-ws', connections: 5000, kbPerConnection: 6 },
          { server: 'hubbub', connections: 5000, kbPerConnection: 12.5 },
        ],
        slow: [
          {
            server: 'hubbub',
            rssGrowthMb: 20,
            rssGrowthBaselineMb: 15,
            slowClientFate: 'closed 4008',
            othersP99: 12,
            othersP99Baseline: 10,
            missingAfterResume: 0,
          },
        ],
      }),
    );
    expect(checks['RSS per subscribed connection ≤ 2× raw ws']).toMatchObject({
      figure: '2.08× (12.5 vs 6.0 KB)',
      met: false,
    });
    expect(checks['slow consumer: server RSS grows < 50 MB']?.met).toBe(true);
    expect(checks['slow consumer: closed with the reconnect close code']?.met).toBe(true);
    expect(checks["slow consumer: the others' p99 within 20% of the run without it"]?.met).toBe(true);
    expect(checks['slow consumer: 0 messages missing after resume']?.met).toBe(true);
  });

  it('fails persistence on any of rate, p99 or gaps, and leaves out what was not measured', () => {
    const persistence = {
      database: 'sqlite' as const,
      clients: 32,
      seconds: 10,
      messagesPerSecond: 6000,
      ackP50: 5,
      ackP99: 12,
      cpuUsPerMessage: 150,
    };
    const target = 'persistence: ≥ 5,000 messages/s stored, ack p99 < 20 ms, offsets gap-free';
    const stored = (run: PersistenceRun) => results({ persistence: { runs: [run] } });
    expect(byTarget(stored({ ...persistence, gapFree: true }))[target]?.met).toBe(true);
    expect(byTarget(stored({ ...persistence, gapFree: false }))[target]?.met).toBe(false);
    expect(byTarget(stored({ ...persistence, ackP99: 20, gapFree: true }))[target]?.met).toBe(false);
    expect(checkTargets(results({ fanout: [fanout('hubbub', 12)] })).map((c) => c.target)).toEqual([
      'p99 publish→receive ≤ 100 ms at 1,000 subscribers × 50 messages/s, all delivered',
    ]);
  });

  it('checks PostgreSQL persistence against its own p99 (30 ms), in the same run as SQLite', () => {
    const run = (database: PersistenceRun['database'], over: Partial<PersistenceRun>): PersistenceRun => ({
      database,
      clients: 32,
      seconds: 10,
      messagesPerSecond: 5200,
      ackP50: 8,
      ackP99: 25,
      cpuUsPerMessage: 200,
      gapFree: true,
      ...over,
    });
    const target = 'PostgreSQL persistence: ≥ 5,000 messages/s stored, ack p99 < 30 ms, offsets gap-free';
    const checks = byTarget(results({ persistence: { runs: [run('sqlite', {}), run('postgres', {})] } }));
    expect(checks['persistence: ≥ 5,000 messages/s stored, ack p99 < 20 ms, offsets gap-free']?.met).toBe(false);
    expect(checks[target]).toEqual({ target, figure: '5200/s, p99 25.00 ms, gap-free', met: true });
    const slow = byTarget(results({ persistence: { runs: [run('postgres', { messagesPerSecond: 4999 })] } }));
    expect(slow[target]?.met).toBe(false);
    const gaps = byTarget(results({ persistence: { runs: [run('postgres', { gapFree: false })] } }));
    expect(gaps[target]).toMatchObject({ figure: '5200/s, p99 25.00 ms, GAPS', met: false });
    expect(byTarget(results({ persistence: { runs: [run('postgres', { ackP99: 30 })] } }))[target]?.met).toBe(false);
  });
});
