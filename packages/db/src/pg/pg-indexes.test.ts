import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL index checks: no server at ${probe.reason}`);

const databases = new TestDatabases();

describe.skipIf(!probe.reachable)('PostgreSQL indexes', () => {
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  it("keeps a thread's replies in the replies-only index, and the thread's reads use it", async () => {
    const database = await databases.fresh();
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [index] = await sql<{ indexdef: string }[]>`
        select indexdef from pg_indexes where indexname = 'messages_thread'`;
      expect(index?.indexdef).toMatch(/\(thread_id, seq\) WHERE \(thread_id IS NOT NULL\)/);
      // An empty table reads fastest by a scan; with scans priced out, the plan shows which index can answer.
      const plan = await sql.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        const rows = await tx.unsafe(
          `explain select author_id from messages where thread_id = 'root' order by seq desc limit 1`,
        );
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index Scan Backward using messages_thread on messages/);
    } finally {
      await sql.end({ timeout: 1 });
      await database.release();
    }
  });
});
