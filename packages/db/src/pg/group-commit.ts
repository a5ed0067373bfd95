import { type SQL, sql } from 'drizzle-orm';
import { createBatchQueue, type Outcome } from './batch-queue';
import type { PgDb, PgTx } from './open';

/** How many items one shared transaction takes at most: a bound on its locks, its latency and its subtransactions. */
export const GROUP_COMMIT_MAX_BATCH = 64;

const BATCH_SAVEPOINT = sql.raw('savepoint group_batch');
const BATCH_RELEASE = sql.raw('release savepoint group_batch');
const BATCH_ROLLBACK_TO = sql.raw('rollback to savepoint group_batch');
const SAVEPOINT = sql.raw('savepoint group_item');
const RELEASE = sql.raw('release savepoint group_item');
const ROLLBACK_TO = sql.raw('rollback to savepoint group_item');

export interface GroupCommitOptions<Item, Result> {
  /** Items per transaction (default GROUP_COMMIT_MAX_BATCH); the rest wait for the next one. */
  maxBatch?: number;
  /** The order a batch runs its items in (a stable sort: lock order across items); arrival order when absent. */
  order?: (a: Item, b: Item) => number;
  /** Runs before the items of a batch, in its transaction and outside their savepoints (taking locks in order). */
  prepare?: (tx: PgTx, batch: readonly Item[]) => Promise<void>;
  /**
   * Runs the whole batch at once when it can, in one savepoint: an outcome per item (in the batch's order), or
   * null to run the items one by one. When it throws, its savepoint is rolled back and they run one by one too.
   */
  runAll?: (tx: PgTx, batch: readonly Item[]) => Promise<Outcome<Result>[] | null>;
  /** After an item threw and its savepoint was rolled back: answers it after all (a result) or rethrows. */
  afterRollback?: (tx: PgTx, item: Item, error: unknown) => Promise<Result>;
}

/** Sends a statement now (drizzle's queries are lazy: sent when first awaited), so statements go out in call order. */
const sendNow = (tx: PgTx, statement: SQL) => tx.execute(statement).execute();

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
 * WAL flush), each in its own savepoint, so one that throws is rolled back
 * alone and rejects alone while the others commit. One batch is in flight at
 * a time. A savepoint is released without waiting for it: the release and the
 * next item's first statements go to the server together (postgres.js
 * pipelines statements issued before the answers come). `runAll` may do a
 * whole batch at once instead (a few statements for all its items): round
 * trips, not statements, are what a send waits for.
 */
export function createGroupCommit<Item, Result>(
  db: PgDb,
  run: (tx: PgTx, item: Item) => Promise<Result>,
  options: GroupCommitOptions<Item, Result> = {},
): (item: Item) => Promise<Result> {
  const runBatch = async (tx: PgTx, items: readonly Item[]) => {
    await options.prepare?.(tx, items);
    if (options.runAll) {
      const begun = sendNow(tx, BATCH_SAVEPOINT);
      try {
        const [, all] = await settledAll([begun, options.runAll(tx, items)]);
        // Not released: the commit right after ends the savepoint with the transaction (a round trip fewer).
        if (all) return all;
      } catch {
        // Whatever went wrong (a value the database refused, a retry found late), the items say it one by one.
      }
      await begun.catch(() => {});
      await tx.execute(BATCH_ROLLBACK_TO);
      await tx.execute(BATCH_RELEASE);
    }
    const outcomes: Outcome<Result>[] = [];
    const releases: Promise<unknown>[] = [];
    for (const item of items) {
      const begun = sendNow(tx, SAVEPOINT);
      try {
        const [, value] = await settledAll([begun, run(tx, item)]);
        const released = sendNow(tx, RELEASE);
        released.catch(() => {});
        releases.push(released);
        outcomes.push({ ok: true, value });
      } catch (error) {
        // Settles the savepoint first when the item failed before it was taken (nothing to roll back then).
        await begun.catch(() => {});
        await tx.execute(ROLLBACK_TO);
        await tx.execute(RELEASE);
        outcomes.push(await settle(() => options.afterRollback?.(tx, item, error) ?? Promise.reject(error)));
      }
    }
    await Promise.all(releases);
    return outcomes;
  };

  // A transaction that fails itself (begin, commit, the connection) stored nothing: every item rejects.
  return createBatchQueue((items) => db.transaction((tx) => runBatch(tx, items)), {
    maxBatch: options.maxBatch ?? GROUP_COMMIT_MAX_BATCH,
    order: options.order,
  });
}
