import { CLOSE_CODES } from '@hubbub/core';
import type { Results } from './results';
import { cpuRatio } from './rounds';
import type { FanoutResult, PersistenceDatabase, PersistenceRun } from './scenarios';
import { searchTargets } from './search/search-report';
import { fixed } from './stats';

/** The latency target's case: p99 publish→receive within `ms` at `subscribers` × `rate` messages/s. */
export const P99_TARGET = { subscribers: 1000, rate: 50, ms: 100 } as const;

/** True for the fan-out run the latency target speaks of. */
export const isP99TargetCase = (run: Pick<FanoutResult, 'subscribers' | 'rate'>): boolean =>
  run.subscribers === P99_TARGET.subscribers && run.rate === P99_TARGET.rate;

/** Hubbub's CPU per delivery against the floor's (one frame built per message, one socket write per delivery). */
export const FLOOR_TARGET = { ratio: 1.2, subscribers: [1000, 5000] } as const;

/** The persistence targets per database: rate, ack p99 and gap-free offsets, from issue 16 for PostgreSQL. */
const PERSISTENCE_TARGETS: Record<PersistenceDatabase, { name: string; perSecond: number; p99Ms: number }> = {
  sqlite: { name: 'persistence', perSecond: 5000, p99Ms: 20 },
  postgres: { name: 'PostgreSQL persistence', perSecond: 5000, p99Ms: 30 },
};

/** One goal from the fan-out issue, checked against the figures of the same run. */
export interface TargetCheck {
  target: string;
  figure: string;
  met: boolean;
}

/**
 * Hubbub's performance targets (2 cores, loopback; ratios within one run).
 * A target whose figures were not measured in this run is left out.
 */
export function checkTargets(r: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const n of [...new Set(r.fanout.map((x) => x.subscribers))]) {
    const hub = r.fanout.find((x) => x.server === 'hubbub' && x.subscribers === n);
    const raw = r.fanout.find((x) => x.server === 'raw-ws' && x.subscribers === n);
    if (hub && raw) {
      const ratio = hub.cpuUsPerDelivery / raw.cpuUsPerDelivery;
      checks.push({
        target: `server CPU per delivery ≤ 1.5× raw ws (${n} subscribers)`,
        figure: `${fixed(ratio, 2)}× (${fixed(hub.cpuUsPerDelivery, 2)} vs ${fixed(raw.cpuUsPerDelivery, 2)} µs)`,
        met: ratio <= 1.5,
      });
    }
    const floor = r.fanout.find((x) => x.server === 'raw-ws-floor' && x.subscribers === n);
    if (hub && floor && (FLOOR_TARGET.subscribers as readonly number[]).includes(n)) {
      const { ratio, ratios } = cpuRatio(hub, floor);
      const detail = ratios.length
        ? `median of ${ratios.length} alternating rounds: ${ratios.map((x) => fixed(x, 2)).join(', ')}`
        : `${fixed(hub.cpuUsPerDelivery, 2)} vs ${fixed(floor.cpuUsPerDelivery, 2)} µs`;
      checks.push({
        target: `Hubbub CPU per delivery ≤ ${FLOOR_TARGET.ratio}× the floor (${n.toLocaleString('en-US')} subscribers)`,
        figure: `${fixed(ratio, 2)}× (${detail})`,
        met: ratio <= FLOOR_TARGET.ratio,
      });
    }
    if (hub && isP99TargetCase(hub)) {
      checks.push({
        target: 'p99 publish→receive ≤ 100 ms at 1,000 subscribers × 50 messages/s, all delivered',
        figure: `${fixed(hub.p99)} ms, ${hub.delivered}/${hub.expected}`,
        met: hub.p99 <= P99_TARGET.ms && hub.delivered === hub.expected,
      });
    }
  }
  const hubMemory = r.memory.find((m) => m.server === 'hubbub');
  const rawMemory = r.memory.find((m) => m.server === 'raw-ws');
  if (hubMemory && rawMemory) {
    const ratio = hubMemory.kbPerConnection / rawMemory.kbPerConnection;
    checks.push({
      target: 'RSS per subscribed connection ≤ 2× raw ws',
      figure: `${fixed(ratio, 2)}× (${fixed(hubMemory.kbPerConnection)} vs ${fixed(rawMemory.kbPerConnection)} KB)`,
      met: ratio <= 2,
    });
  }
  const slow = r.slow.find((s) => s.server === 'hubbub');
  if (slow) {
    checks.push(
      {
        target: 'slow consumer: server RSS grows < 50 MB',
        figure: `${fixed(slow.rssGrowthMb)} MB`,
        met: slow.rssGrowthMb < 50,
      },
      {
        target: 'slow consumer: closed with the reconnect close code',
        figure: slow.slowClientFate,
        met: slow.slowClientFate === `closed ${CLOSE_CODES.slowConsumer}`,
      },
      {
        target: "slow consumer: the others' p99 within 20% of the run without it",
        figure: `${fixed(slow.othersP99)} vs ${fixed(slow.othersP99Baseline)} ms`,
        met: slow.othersP99 <= slow.othersP99Baseline * 1.2,
      },
      {
        target: 'slow consumer: 0 messages missing after resume',
        figure: String(slow.missingAfterResume),
        met: slow.missingAfterResume === 0,
      },
    );
  }
  checks.push(...persistenceTargets(r.persistence?.runs ?? []));
  checks.push(...searchTargets(r.search ?? []));
  return checks;
}

/** One persistence target per database measured. */
function persistenceTargets(runs: PersistenceRun[]): TargetCheck[] {
  return runs.map((p) => {
    const goal = PERSISTENCE_TARGETS[p.database];
    return {
      target: `${goal.name}: ≥ ${goal.perSecond.toLocaleString('en-US')} messages/s stored, ack p99 < ${goal.p99Ms} ms, offsets gap-free`,
      figure: `${fixed(p.messagesPerSecond, 0)}/s, p99 ${fixed(p.ackP99, 2)} ms, ${p.gapFree ? 'gap-free' : 'GAPS'}`,
      met: p.messagesPerSecond >= goal.perSecond && p.ackP99 < goal.p99Ms && p.gapFree,
    };
  });
}
