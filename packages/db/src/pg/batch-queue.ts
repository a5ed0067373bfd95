export type Outcome<Result> = { ok: true; value: Result } | { ok: false; error: unknown };

export interface BatchQueueOptions<Item> {
  /** Items per batch at most; the rest wait for the next one. */
  maxBatch: number;
  /** The order a batch's items are handed to `run` in (a stable sort); arrival order when absent. */
  order?: (a: Item, b: Item) => number;
  /**
   * How long a batch gathers items after the first one when none is in flight (milliseconds; default 0: the
   * items of that event-loop turn). Work that nobody waits on can trade this much latency for fewer statements.
   */
  gatherMs?: number;
}

/**
 * Work that shares round trips: items submitted while a batch is in flight,
 * or in the same event-loop turn (or within `gatherMs`), go together in the
 * next one. One batch is in flight at a time, and every item runs after it
 * was submitted. `run` answers a batch with an outcome per item, in the
 * batch's order; when it throws, every item of the batch rejects with its
 * error.
 */
export function createBatchQueue<Item, Result>(
  run: (batch: readonly Item[]) => Promise<readonly Outcome<Result>[]>,
  { maxBatch, order, gatherMs = 0 }: BatchQueueOptions<Item>,
): (item: Item) => Promise<Result> {
  type Queued = { item: Item; resolve(value: Result): void; reject(error: unknown): void };
  const queue: Queued[] = [];
  let inFlight = false;

  const flush = async () => {
    const batch = queue.splice(0, maxBatch);
    if (order) batch.sort((a, b) => order(a.item, b.item));
    let outcomes: readonly Outcome<Result>[];
    try {
      outcomes = await run(batch.map((queued) => queued.item));
    } catch (error) {
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    batch.forEach((queued, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) queued.resolve(outcome.value);
      else queued.reject(outcome ? outcome.error : new Error('batch: no outcome'));
    });
    if (queue.length > 0) void flush();
    else inFlight = false;
  };

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (inFlight) return;
      inFlight = true;
      // Everything submitted in this turn (or window) goes in the first batch.
      if (gatherMs > 0) setTimeout(() => void flush(), gatherMs);
      else setImmediate(() => void flush());
    });
}
