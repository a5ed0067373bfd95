import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchQuery, type SearchStore } from '@hubbub/core';
import { createPostgresStores, createSqliteStores, type Stores } from '@hubbub/db';
import { bulkLoadPostgres, bulkLoadSqlite, TestDatabases } from '@hubbub/db/test';
import { percentile } from '../stats';
import { buildCorpus, type Corpus, DEFAULT_SHAPE } from './corpus';
import { type BenchQuery, buildQueries, type QueryKind } from './queries';

export type SearchDatabase = 'sqlite' | 'postgres';

export interface SearchBenchResult {
  database: SearchDatabase;
  messages: number;
  /** Seconds to write the rows and build the index. */
  fillSeconds: number;
  queries: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Hits on a first page (at most 20), on average. */
  meanHits: number;
  /** p95 per kind of query, to see which ones cost. */
  byKind: { kind: QueryKind; count: number; p95: number }[];
}

/** Latencies (ms) of each query through the store, one after another, after a few to warm the caches. */
async function timeQueries(search: SearchStore, corpus: Corpus, queries: BenchQuery[]) {
  const run = (q: BenchQuery) =>
    search.search({ readerId: corpus.readerId, query: parseSearchQuery(q.text), limit: 20, ...q.filters });
  for (const q of queries.slice(0, 20)) await run(q);
  const samples: { kind: QueryKind; ms: number; hits: number }[] = [];
  for (const q of queries) {
    const started = performance.now();
    const page = await run(q);
    samples.push({ kind: q.kind, ms: performance.now() - started, hits: page.hits.length });
  }
  return samples;
}

function summarize(
  database: SearchDatabase,
  messages: number,
  fillSeconds: number,
  samples: { kind: QueryKind; ms: number; hits: number }[],
): SearchBenchResult {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const kinds = [...new Set(samples.map((s) => s.kind))];
  return {
    database,
    messages,
    fillSeconds,
    queries: samples.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    meanHits: samples.reduce((sum, s) => sum + s.hits, 0) / Math.max(1, samples.length),
    byKind: kinds.map((kind) => {
      const times = samples
        .filter((s) => s.kind === kind)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      return { kind, count: times.length, p95: percentile(times, 95) };
    }),
  };
}

/**
 * Search latency over `messages` stored messages on one database: fills a
 * fresh database straight through SQL (a seeded corpus, the same on every
 * run), then runs `queryCount` varied queries through the SearchStore, as the
 * procedure calls it, one at a time.
 */
export async function searchBench(
  database: SearchDatabase,
  messages: number,
  queryCount: number,
  log: (line: string) => void = () => {},
): Promise<SearchBenchResult> {
  const corpus = buildCorpus({ ...DEFAULT_SHAPE, messages });
  const started = performance.now();
  let stores: Stores;
  let cleanUp: () => Promise<void>;
  if (database === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hubbub-search-bench-'));
    const file = join(dir, 'hubbub.db');
    bulkLoadSqlite(file, corpus.data);
    stores = await createSqliteStores(file);
    cleanUp = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const databases = new TestDatabases();
    const fresh = await databases.fresh();
    await bulkLoadPostgres(fresh.url, corpus.data);
    stores = await createPostgresStores(fresh.url, { poolSize: 2 });
    cleanUp = () => databases.dropAll();
  }
  const fillSeconds = (performance.now() - started) / 1000;
  log(`search: ${database}, ${messages} messages stored in ${fillSeconds.toFixed(1)} s; querying…`);
  try {
    const samples = await timeQueries(stores.search, corpus, buildQueries(corpus, queryCount));
    return summarize(database, messages, fillSeconds, samples);
  } finally {
    await stores.close();
    await cleanUp();
  }
}
