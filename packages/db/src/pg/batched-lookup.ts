import { createBatchQueue } from './batch-queue';

/** Lookups per statement at most: a bound on one statement's parameters and on how long the first one waits. */
export const LOOKUP_MAX_BATCH = 256;

/**
 * Lookups that share statements (batch-queue.ts): a burst of them costs a
 * round trip and a statement, not one each; with `gatherMs`, so do those
 * asked within that window. `run` answers a batch in order; when it throws,
 * the batch rejects.
 */
export function createBatchedLookup<Query, Answer>(
  run: (queries: readonly Query[]) => Promise<Answer[]>,
  { maxBatch = LOOKUP_MAX_BATCH, gatherMs = 0 }: { maxBatch?: number; gatherMs?: number } = {},
): (query: Query) => Promise<Answer> {
  return createBatchQueue(
    async (queries: readonly Query[]) => (await run(queries)).map((value) => ({ ok: true as const, value })),
    { maxBatch, gatherMs },
  );
}
