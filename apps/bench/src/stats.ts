/** Percentile by nearest rank over an ascending-sorted array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
  };
}

/** Server CPU time (µs) spent per delivered message. */
export function cpuPerDelivery(cpuSeconds: number, deliveries: number): number {
  return deliveries > 0 ? (cpuSeconds * 1e6) / deliveries : Number.NaN;
}

/** Extra resident memory per connection (KB). */
export function rssPerConnection(baselineBytes: number, loadedBytes: number, connections: number): number {
  return connections > 0 ? (loadedBytes - baselineBytes) / 1024 / connections : Number.NaN;
}

/** `/proc/<pid>/stat` → user + system CPU seconds (fields 14 and 15, after the command name). */
export function parseProcStat(stat: string, ticksPerSecond = 100): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** `/proc/<pid>/status` → resident set size in bytes. */
export function parseRss(status: string): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : Number.NaN;
}

/** Offsets seen → how many of 1..expected are missing, and how many arrived twice. */
export function gapsAndDuplicates(
  offsets: readonly number[],
  expected: number,
): { missing: number; duplicates: number } {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const o of offsets) {
    if (seen.has(o)) duplicates++;
    seen.add(o);
  }
  let missing = 0;
  for (let i = 1; i <= expected; i++) if (!seen.has(i)) missing++;
  return { missing, duplicates };
}

/** A figure for a report: fixed digits, or a dash when it was not measured. */
export const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
