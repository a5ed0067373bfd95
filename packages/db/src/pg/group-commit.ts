import type postgres from 'postgres';
import { createBatchQueue, type LateItems, type Outcome } from './batch-queue';
import type { PgDb, PgTx } from './open';

/** How many items one shared transaction takes at most: a bound on its locks, its latency and its subtransactions. */
export const GROUP_COMMIT_MAX_BATCH = 64;

/** What a whole batch writes (`runAll`): sent and not awaited, so COMMIT goes out right behind the writes. */
export interface BatchWrites<Result> {
  /** An outcome per item, in the batch's order: they hold once the writes commit. */
  outcomes: Outcome<Result>[];
  /** The batch's statements, already sent. */
  writes: Promise<unknown>[];
}

export interface GroupCommitOptions<Item, Result> {
  /** Items per transaction (default GROUP_COMMIT_MAX_BATCH); the rest wait for the next one. */
  maxBatch?: number;
  /** The order a batch runs its items in (a stable sort: lock order across items); arrival order when absent. */
  order?: (a: Item, b: Item) => number;
  /**
   * Runs the whole batch at once when it can, on a connection of its own in a transaction whose BEGIN goes out
   * with its first statements: reads what it needs, sends its writes and returns them with an outcome per item
   * (then one per late item it took: items submitted since, that what it read covers), or null to run the items
   * one by one. When it throws or a write fails, the transaction is rolled back and the items (with the late
   * ones) run one by one in a new one.
   */
  runAll?: (sql: postgres.Sql, batch: readonly Item[], late: LateItems<Item>) => Promise<BatchWrites<Result> | null>;
  /** Runs before a batch's items run one by one, in its transaction and outside their savepoints (locks in order). */
  prepare?: (tx: PgTx, batch: readonly Item[]) => Promise<void>;
  /** After an item threw and its savepoint was rolled back: answers it after all (a result) or rethrows. */
  afterRollback?: (tx: PgTx, item: Item, error: unknown) => Promise<Result>;
}

/**
 * Promise.all that waits for every statement to settle before it throws: nothing of a failed step may reach
 * the server after its savepoint was rolled back.
 */
export async function settledAll<T extends readonly unknown[]>(
  work: readonly [...T],
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

const settle = async <Result>(work: () => Promise<Result>): Promise<Outcome<Result>> => {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
};

/**
 * Group commit on PostgreSQL: items submitted while a batch is in flight, or
 * in the same event-loop turn, share the next transaction (one commit, one
 * WAL flush). One batch is in flight at a time. `runAll` does a whole batch
 * at once when it can (a few statements for all its items, two round trips:
 * round trips, not statements, are what a send waits for), and may take the
 * items submitted while its reads were out that those reads cover: they wait
 * for no other batch. Otherwise each item runs in its own savepoint, so one
 * that throws (or that PostgreSQL refuses) is rolled back alone and rejects
 * alone while the others commit.
 */
export function createGroupCommit<Item, Result>(
  db: PgDb,
  run: (tx: PgTx, item: Item) => Promise<Result>,
  options: GroupCommitOptions<Item, Result> = {},
): (item: Item) => Promise<Result> {
  /**
   * The whole batch in two round trips: BEGIN and the reads, then the writes and COMMIT. Null when the items must
   * run one by one (runAll declined or threw, or a write failed: COMMIT then rolled back). When COMMIT itself
   * fails (the connection), whether it stored is unknown: every item rejects, none runs again.
   */
  const runAtOnce = async (
    runAll: NonNullable<typeof options.runAll>,
    items: readonly Item[],
    late: LateItems<Item>,
  ) => {
    const connection = await db.$client.reserve();
    try {
      let planned: BatchWrites<Result> | null = null;
      try {
        [, , planned] = await settledAll([
          connection`begin`.execute(),
          // The batch's statements are of fixed text (rows as arrays and JSON): planned once per connection, not
          // again for each batch's values (custom plans keep winning PostgreSQL's cost comparison for those).
          connection`set local plan_cache_mode = force_generic_plan`.execute(),
          runAll(connection, items, late),
        ]);
      } catch {
        // Whatever went wrong (a value the database refused, a retry found late), the items say it one by one.
      }
      if (!planned) {
        await connection`rollback`;
        return null;
      }
      const committed = connection`commit`.execute();
      await Promise.allSettled(planned.writes);
      // A failed write aborted the transaction: PostgreSQL answers its COMMIT with ROLLBACK.
      return (await committed).command === 'COMMIT' ? planned.outcomes : null;
    } finally {
      connection.release();
    }
  };

  // Each item in a savepoint of postgres.js's own (drizzle's nested transaction): a statement PostgreSQL refuses
  // inside a bare SAVEPOINT would still fail the whole transaction, postgres.js failing its scope on any error.
  const runOneByOne = async (tx: PgTx, items: readonly Item[]) => {
    await options.prepare?.(tx, items);
    const outcomes: Outcome<Result>[] = [];
    for (const item of items) {
      try {
        outcomes.push({ ok: true, value: await tx.transaction((savepoint) => run(savepoint, item)) });
      } catch (error) {
        outcomes.push(await settle(() => options.afterRollback?.(tx, item, error) ?? Promise.reject(error)));
      }
    }
    return outcomes;
  };

  // A transaction that fails itself (begin, commit, the connection) stored nothing: every item rejects.
  const runBatch = async (items: readonly Item[], late: LateItems<Item>) => {
    const taken: Item[] = [];
    const takeLate: LateItems<Item> = (accept) => {
      const more = late(accept);
      taken.push(...more);
      return more;
    };
    const outcomes = options.runAll && (await runAtOnce(options.runAll, items, takeLate));
    return outcomes || db.transaction((tx) => runOneByOne(tx, [...items, ...taken]));
  };
  return createBatchQueue(runBatch, {
    maxBatch: options.maxBatch ?? GROUP_COMMIT_MAX_BATCH,
    order: options.order,
  });
}
