import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eq, is, sql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase, PostgresJsSession } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

/** The drizzle database, with its postgres.js pool as `$client` (as drizzle() returns it). */
export type PgDb = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** Reads that must see one consistent moment (a page and its stream position). */
export const SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;

export interface PgHandle {
  db: PgDb;
  client: postgres.Sql;
  epoch: string;
  /** Ends the pool (waits up to a few seconds for running queries). Safe to call twice. */
  close(): Promise<void>;
}

export interface PgConnectOptions {
  /** Connections in this instance's pool (default 10). */
  poolSize?: number;
  /** Seconds to wait for a connection before giving up (default 10). */
  connectTimeout?: number;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle/pg', import.meta.url));

/** Serializes migrations between instances that start at the same time (any constant works; this one spells "hubbub"). */
const MIGRATION_LOCK = 0x6875_6262_7562n;

/** The URL as it may appear in a log or an error: the password (also a `?password=` parameter) replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return 'an unreadable PostgreSQL URL';
  }
}

const clientOptions = (options: PgConnectOptions, max: number): postgres.Options<Record<string, never>> => ({
  max,
  connect_timeout: options.connectTimeout ?? 10,
  // "relation … already exists, skipping" and friends from the migrator are not news.
  onnotice: () => {},
  connection: { TimeZone: 'UTC', application_name: 'hubbub' },
});

function connectionError(url: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`cannot use the PostgreSQL database at ${redactUrl(url)}: ${reason}`, { cause: error });
}

/**
 * Applies the committed migrations under an advisory lock, so that several
 * instances starting at once do not race to create the same tables. Rejects
 * with an error naming the (redacted) URL when the database is unreachable.
 */
export async function migratePostgres(url: string, options: PgConnectOptions = {}): Promise<void> {
  // One connection: the session lock and the migration share it, and it is gone when we are done.
  const client = postgres(url, clientOptions(options, 1));
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK.toString()}::bigint)`.catch((error: unknown) => {
      throw connectionError(url, error);
    });
    await migrate(drizzle({ client }), { migrationsFolder }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot migrate the PostgreSQL database at ${redactUrl(url)}: ${reason}`, { cause: error });
    });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK.toString()}::bigint)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * Opens a pool to the database at `url`, applies the committed migrations
 * and makes sure the stream epoch exists.
 */
export async function openPostgres(url: string, options: PgConnectOptions = {}): Promise<PgHandle> {
  await migratePostgres(url, options);
  const client = postgres(url, clientOptions(options, options.poolSize ?? 10));
  const db = drizzle({ client, schema });
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= client.end({ timeout: 5 });
    return closed;
  };
  try {
    const epoch = await ensureEpoch(db);
    return { db, client, epoch, close };
  } catch (error) {
    await close();
    throw connectionError(url, error);
  }
}

/** A new database gets a new epoch, so ids from a wiped database are never taken for current ones. Race-safe. */
async function ensureEpoch(db: PgDb): Promise<string> {
  await db
    .insert(schema.meta)
    .values({ key: 'epoch', value: randomBytes(6).toString('base64url') })
    .onConflictDoNothing({ target: schema.meta.key });
  const [row] = await db.select().from(schema.meta).where(eq(schema.meta.key, 'epoch'));
  if (!row) throw new Error('the epoch row is missing');
  return row.value;
}

/** Takes a transaction-scoped advisory lock: held until commit or rollback. */
export async function lockFor(tx: PgTx, key: bigint): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${key.toString()}::bigint)`);
}

/**
 * The postgres.js connection under a drizzle transaction. The hot writes go out on it as prepared statements
 * of fixed text (parsed and planned once per connection, a batch's rows passed as arrays), which drizzle's
 * builder neither caches nor prepares: it builds each statement again, one parameter per value.
 */
export function clientOf(tx: PgTx): postgres.Sql {
  // drizzle keeps the session out of a transaction's declared type; it is there at run time.
  const { session } = tx as unknown as { session: unknown };
  if (!is(session, PostgresJsSession)) throw new Error('not a postgres.js transaction');
  return session.client;
}
