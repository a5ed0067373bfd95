/**
 * Reading logic written once for both dialects. A SQLite read answers at
 * once (it must: a better-sqlite3 transaction cannot span an await), a
 * PostgreSQL read with a promise. A plan is a generator that hands out each
 * read (`const rows = yield* read(source.page(…))`) and gets its result back;
 * `runNow` and `runLater` drive it the one way or the other.
 */
export type ReadPlan<T> = Generator<unknown, T, unknown>;

/** One read inside a plan: whatever the source answered (a value or a promise of it). */
export function* read<T>(answer: T | Promise<T>): Generator<unknown, T, unknown> {
  return (yield answer) as T;
}

/** Runs a plan whose reads answer at once (SQLite, inside its transaction). */
export function runNow<T>(plan: ReadPlan<T>): T {
  let step = plan.next();
  while (!step.done) {
    if (step.value instanceof Promise) throw new Error('runNow: a read answered with a promise');
    step = plan.next(step.value);
  }
  return step.value;
}

/** Runs a plan whose reads answer with promises (PostgreSQL); a failed read fails the plan where it read. */
export async function runLater<T>(plan: ReadPlan<T>): Promise<T> {
  let step = plan.next();
  while (!step.done) {
    let answer: unknown;
    try {
      answer = await step.value;
    } catch (error) {
      step = plan.throw(error);
      continue;
    }
    step = plan.next(answer);
  }
  return step.value;
}
