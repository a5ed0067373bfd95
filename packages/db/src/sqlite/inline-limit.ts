import { sql } from 'drizzle-orm';

/**
 * A LIMIT written into the statement's text instead of bound as a parameter. SQLite plans with a bound
 * LIMIT's value, so it marks the statement to be compiled again whenever that parameter is bound, and
 * better-sqlite3 binds on every call: a prepared read was compiled anew each time (5–7 µs on a small
 * one), and a read built per call was compiled twice. Typed as drizzle's `limit()` takes it: an SQL
 * chunk, which drizzle writes as it is (in a `sql` template too).
 */
export function inlineLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`a limit is a whole number ≥ 0, not ${limit}`);
  return sql.raw(String(limit)) as unknown as number;
}
