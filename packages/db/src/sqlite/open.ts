import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { startCheckpointer } from './checkpointer';
import * as schema from './schema';

export type SqliteDb = BetterSQLite3Database<typeof schema>;
export type SqliteTx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0];

export interface SqliteHandle {
  db: SqliteDb;
  raw: Database.Database;
  epoch: string;
  close(): void;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));

/**
 * Opens (or creates) the database at `file` (":memory:" for tests), applies
 * the committed migrations and makes sure the stream epoch exists.
 */
export function openSqlite(file: string): SqliteHandle {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // Checkpoints run mostly off the event loop (see checkpointer.ts); in memory there is no WAL.
  const checkpointer =
    file === ':memory:'
      ? null
      : startCheckpointer(file, {
          // The few frames written during the worker's pass; then the next write starts the WAL over.
          finishPass: () => {
            if (raw.open && !raw.inTransaction) raw.pragma('wal_checkpoint(PASSIVE)');
          },
        });
  if (checkpointer) raw.pragma('wal_autocheckpoint = 0');
  const db = drizzle(raw, { schema });
  migrate(db, { migrationsFolder });
  const epoch = ensureEpoch(db);
  return {
    db,
    raw,
    epoch,
    close: () => {
      checkpointer?.close();
      if (raw.open) raw.close();
    },
  };
}

/** A new database gets a new epoch, so ids from a wiped database are never taken for current ones. */
function ensureEpoch(db: SqliteDb): string {
  const row = db.select().from(schema.meta).where(eq(schema.meta.key, 'epoch')).get();
  if (row) return row.value;
  const epoch = randomBytes(6).toString('base64url');
  db.insert(schema.meta).values({ key: 'epoch', value: epoch }).run();
  return epoch;
}
