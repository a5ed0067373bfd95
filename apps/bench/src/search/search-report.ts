import { fixed as f } from '../stats';
import type { SearchBenchResult } from './search-bench';

/** The search latency target: p95 of a varied query mix under this many ms, at a million stored messages. */
export const SEARCH_TARGET = { messages: 1_000_000, p95Ms: 100 } as const;

const DATABASE_NAMES = { sqlite: 'SQLite (FTS5)', postgres: 'PostgreSQL (tsvector + GIN)' } as const;

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** The report's search section: latency per database, then p95 per kind of query. */
export function searchSection(results: readonly SearchBenchResult[], skipped?: string): string {
  const first = results[0];
  const parts = [
    first
      ? `### Search: ${first.queries} varied queries through message.search's store, one at a time, over ${first.messages.toLocaleString('en-US')} messages`
      : '### Search',
  ];
  if (first) {
    parts.push(
      table(
        ['database', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'hits per page (mean)', 'fill s'],
        results.map((r) => [
          DATABASE_NAMES[r.database],
          f(r.p50),
          f(r.p95),
          f(r.p99),
          f(r.max),
          f(r.meanHits, 1),
          f(r.fillSeconds, 0),
        ]),
      ),
      table(
        ['query kind (count)', ...results.map((r) => `${DATABASE_NAMES[r.database]} p95 ms`)],
        first.byKind.map((k) => [
          `${k.kind} (${k.count})`,
          ...results.map((r) => f(r.byKind.find((x) => x.kind === k.kind)?.p95 ?? Number.NaN)),
        ]),
      ),
    );
  }
  if (skipped) parts.push(`Not measured: ${skipped}`);
  return parts.join('\n\n');
}

/** The search target per database, for runs at the target's size (as targets.ts's TargetCheck). */
export function searchTargets(
  results: readonly SearchBenchResult[],
): { target: string; figure: string; met: boolean }[] {
  return results
    .filter((r) => r.messages >= SEARCH_TARGET.messages)
    .map((r) => ({
      target: `search p95 < ${SEARCH_TARGET.p95Ms} ms at ${SEARCH_TARGET.messages.toLocaleString('en-US')} messages (${DATABASE_NAMES[r.database]})`,
      figure: `${f(r.p95)} ms`,
      met: r.p95 < SEARCH_TARGET.p95Ms,
    }));
}
