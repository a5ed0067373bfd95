/** Lookups per statement at most: a bound on one statement's parameters and on how long the first one waits. */
export const LOOKUP_MAX_BATCH = 256;

/**
 * Lookups that share statements: those asked while one is in flight (or in
 * the same event-loop turn) go out together in the next, so a burst of them
 * costs a round trip and a statement, not one each. Every lookup is sent
 * after it was asked (none is answered by a statement that started before
 * it). `run` answers a batch in order; when it throws, the batch rejects.
 */
export function createBatchedLookup<Query, Answer>(
  run: (queries: readonly Query[]) => Promise<Answer[]>,
  maxBatch = LOOKUP_MAX_BATCH,
): (query: Query) => Promise<Answer> {
  type Waiting = { query: Query; resolve(answer: Answer): void; reject(error: unknown): void };
  const waiting: Waiting[] = [];
  let inFlight = false;

  const flush = async () => {
    const batch = waiting.splice(0, maxBatch);
    try {
      const answers = await run(batch.map((w) => w.query));
      batch.forEach((w, i) => {
        if (i < answers.length) w.resolve(answers[i] as Answer);
        else w.reject(new Error('batched lookup: no answer'));
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    if (waiting.length > 0) void flush();
    else inFlight = false;
  };

  return (query) =>
    new Promise<Answer>((resolve, reject) => {
      waiting.push({ query, resolve, reject });
      if (inFlight) return;
      inFlight = true;
      setImmediate(() => void flush());
    });
}
