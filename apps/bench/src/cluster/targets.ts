/** Issue 16's cluster targets, judged against the single instance measured in the same run. */
import { fixed } from '../stats';
import type { SetupResult } from './run';

export const CLUSTER_TARGETS = { p99Ratio: 1.5, cpuRatio: 1.15 } as const;

export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean;
}

/** The cluster's figures against the single instance's (same backends, same run, same rate). */
export function judgeCluster(single: SetupResult, cluster: SetupResult): TargetVerdict[] {
  const p99Ratio = cluster.p99 / single.p99;
  const cpuRatio = cluster.cpuUsPerDelivery / single.cpuUsPerDelivery;
  const at = `${cluster.rate} msg/s`;
  return [
    {
      target: `p99 ≤ ${CLUSTER_TARGETS.p99Ratio}× single instance at ${at}`,
      measured: `${fixed(p99Ratio, 2)}× (${fixed(cluster.p99)} vs ${fixed(single.p99)} ms)`,
      met: p99Ratio <= CLUSTER_TARGETS.p99Ratio,
    },
    {
      target: `CPU per delivery ≤ ${CLUSTER_TARGETS.cpuRatio}× single instance at ${at}`,
      measured: `${fixed(cpuRatio, 2)}× (${fixed(cluster.cpuUsPerDelivery, 2)} vs ${fixed(single.cpuUsPerDelivery, 2)} µs)`,
      met: cpuRatio <= CLUSTER_TARGETS.cpuRatio,
    },
    {
      target: `every message delivered, both setups, at ${at}`,
      measured: `${cluster.delivered}/${cluster.expected}, ${single.delivered}/${single.expected}`,
      met: cluster.delivered === cluster.expected && single.delivered === single.expected,
    },
  ];
}

/** A markdown table of setups, one row each. */
export function setupTable(results: readonly SetupResult[]): string {
  const rows = results.map((r) =>
    [
      r.label,
      `${r.rate}`,
      fixed(r.p50),
      fixed(r.p99),
      fixed(r.cpuUsPerDelivery, 2),
      r.cpuSecondsPerInstance.map((s) => fixed(s, 2)).join(' + '),
      `${r.delivered}/${r.expected}`,
      r.databaseTransactions === undefined ? 'n/a' : `${r.databaseTransactions}`,
    ].join(' | '),
  );
  return [
    '| setup | msg/s | p50 ms | p99 ms | CPU µs / delivery (all instances) | CPU s per instance | delivered | PostgreSQL transactions (whole setup) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

export function verdictTable(verdicts: readonly TargetVerdict[]): string {
  return [
    '| target | this run | met |',
    '| --- | --- | --- |',
    ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? 'yes' : '**NO**'} |`),
  ].join('\n');
}
