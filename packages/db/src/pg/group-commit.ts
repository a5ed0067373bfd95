import type postgres from 'postgres';
import { createBatchQueue, type Outcome } from './batch-queue';
import type { PgDb, PgTx } from './open';

/** How many items one shared transaction takes at most: a bound on its locks, its latency and its subtransactions. */
export const GROUP_COMMIT_MAX_BATCH = 64;

/**
 * Sends a whole batch's statements on the batch's connection, inside its transaction, without waiting for
 * anything first (COMMIT goes out right behind them), and answers an outcome per item in the batch's order (they
 * hold once COMMIT does), or null when it wrote nothing and the items must run one by one.
 */
export type BatchWriter<Result> = (sql: postgres.Sql) => Promise<Outcome<Result>[] | null>;

export interface GroupCommitOptions<Item, Result> {
  /** Items per transaction (default GROUP_COMMIT_MAX_BATCH); the rest wait for the next one. */
  maxBatch?: number;
  /** The order a batch runs its items in (a stable sort: lock order across items); arrival order when absent. */
  order?: (a: Item, b: Item) => number;
  /**
   * Whether the whole batch can go at once: the writer of its statements, or null (or a throw: a value that
   * cannot be sent) to run the items one by one. The writer's statements go out in one round trip with BEGIN and
   * COMMIT on a connection of its own; when one fails (COMMIT then rolls back) or the writer answers null, the
   * items run one by one in a new transaction.
   */
  runAll?: (batch: readonly Item[]) => BatchWriter<Result> | null;
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
 * at once when it can (a few statements for all its items, in one round
 * trip: round trips, not statements, are what a send waits for, and locks
 * taken in the batch are held for no round trip of the server's).
 * Otherwise each item runs in its own savepoint, so one
 * that throws (or that PostgreSQL refuses) is rolled back alone and rejects
 * alone while the others commit.
 */
export function createGroupCommit<Item, Result>(
  db: PgDb,
  run: (tx: PgTx, item: Item) => Promise<Result>,
  options: GroupCommitOptions<Item, Result> = {},
): (item: Item) => Promise<Result> {
  /**
   * The whole batch in one round trip: BEGIN, the writer's statements and COMMIT sent together. Null when the items
   * must run one by one (a statement failed: COMMIT then rolled back; or the writer wrote nothing). When COMMIT
   * itself fails (the connection), whether it stored is unknown: every item rejects, none runs again.
   */
  const runAtOnce = async (write: BatchWriter<Result>) => {
    const connection = await db.$client.reserve();
    try {
      const began = settledAll([
        connection`begin`.execute(),
        // The batch's statements are of fixed text (rows as arrays and JSON): planned once per connection, not
        // again for each batch's values (custom plans keep winning PostgreSQL's cost comparison for those).
        connection`set local plan_cache_mode = force_generic_plan`.execute(),
      ]);
      const answered = write(connection).catch(() => null);
      const committed = connection`commit`.execute();
      const [outcomes] = await Promise.all([answered, began.catch(() => null)]);
      // A failed statement aborted the transaction: PostgreSQL answers its COMMIT with ROLLBACK.
      return (await committed).command === 'COMMIT' ? outcomes : null;
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

  const writerOf = (items: readonly Item[]) => {
    try {
      return options.runAll?.(items) ?? null;
    } catch {
      // A value that cannot be sent: the items say it one by one.
      return null;
    }
  };

  // A transaction that fails itself (begin, commit, the connection) stored nothing: every item rejects.
  const runBatch = async (items: readonly Item[]) => {
    const write = writerOf(items);
    const outcomes = write && (await runAtOnce(write));
    return outcomes || db.transaction((tx) => runOneByOne(tx, items));
  };
  return createBatchQueue(runBatch, {
    maxBatch: options.maxBatch ?? GROUP_COMMIT_MAX_BATCH,
    order: options.order,
  });
}
