import { probePostgres } from '@hubbub/db/test';
import { describe, expect, it } from 'vitest';
import { buildCorpus, DEFAULT_SHAPE } from './corpus';
import { buildQueries } from './queries';
import { searchBench } from './search-bench';
import { searchSection, searchTargets } from './search-report';

const pg = await probePostgres();

describe('the search benchmark', () => {
  it('builds the same corpus and queries from the same seed', () => {
    const rows = () => {
      const corpus = buildCorpus({ ...DEFAULT_SHAPE, messages: 500 });
      const messages = [...corpus.data.messages].flat();
      return { corpus, messages, queries: buildQueries(corpus, 50) };
    };
    const a = rows();
    const b = rows();
    expect(a.messages).toEqual(b.messages);
    expect(a.queries).toEqual(b.queries);
    expect(a.messages).toHaveLength(500);
    expect(new Set(a.messages.map((m) => m.id)).size).toBe(500);
    // Ids sort by time, as the stores' UUIDv7 do.
    expect(a.messages.map((m) => m.id)).toEqual(a.messages.map((m) => m.id).sort());
    expect(a.queries.length).toBeGreaterThanOrEqual(48);
  });

  it.each([
    ['sqlite', true],
    ['postgres', pg.reachable],
  ] as const)('fills %s and times queries that find something', async (database, reachable) => {
    if (!reachable) return expect(pg.reason).not.toBe('');
    const result = await searchBench(database, 3000, 40);
    expect(result).toMatchObject({ database, messages: 3000, queries: 40 });
    expect(result.meanHits).toBeGreaterThan(1);
    expect(result.p50).toBeLessThanOrEqual(result.p95);
    expect(result.byKind.reduce((n, k) => n + k.count, 0)).toBe(40);
    expect(searchSection([result])).toContain('| query kind (count) |');
    // Small runs are not held to the million-message target.
    expect(searchTargets([result])).toEqual([]);
  });
});
