import { randomBytes } from 'node:crypto';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { migratePostgres, redactUrl } from './open';
import * as schema from './schema';

/**
 * Throwaway databases for the PostgreSQL tests. Every test run (every test
 * file) gets its own name prefix, `hubbub_test_<random>`, so concurrent runs
 * never meet, and drops all of its databases at the end.
 *
 * Each store under test gets a database to itself. Creating and migrating one
 * costs ~250 ms, so a released database is emptied (every table truncated,
 * identities restarted, the epoch gone with `meta`) and handed to the next
 * test: it is then indistinguishable from a freshly migrated one.
 */

/** A role that may create databases; `HUBBUB_TEST_PG_URL` overrides. */
export const ADMIN_URL = process.env.HUBBUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const quiet = { onnotice: () => {} };

/** Whether the test server answers; the reason when it does not. */
export async function probePostgres(url = ADMIN_URL): Promise<{ reachable: boolean; reason: string }> {
  const sql = postgres(url, { ...quiet, max: 1, connect_timeout: 3 });
  try {
    await sql`select 1`;
    return { reachable: true, reason: '' };
  } catch (error) {
    return { reachable: false, reason: `${redactUrl(url)}: ${error instanceof Error ? error.message : error}` };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Every table, children before the tables their foreign keys point to (schema.ts declares parents first). */
const tableNames = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => `"${getTableName(table)}"`)
  .reverse();

const identityColumns = (sql: postgres.TransactionSql) =>
  sql<{ table: string; column: string }[]>`
    select table_name as table, column_name as column from information_schema.columns
    where table_schema = 'public' and is_identity = 'YES'`;

export interface TestDatabase {
  name: string;
  url: string;
  /** Empties the database and makes it available to the next test. */
  release(): Promise<void>;
}

/** How long an afterAll hook gives dropAll. */
export const DROP_ALL_TIMEOUT_MS = 120_000;

export class TestDatabases {
  readonly prefix = `hubbub_test_${randomBytes(5).toString('hex')}`;
  private admin: postgres.Sql | undefined;
  /** One connection into each migrated database, for emptying it. */
  private readonly cleaners = new Map<string, postgres.Sql>();
  private readonly free: string[] = [];
  private count = 0;

  constructor(private readonly adminUrl = ADMIN_URL) {}

  /** The URL of database `name` on the test server, with the admin's credentials. */
  urlFor(name: string): string {
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  private sql(): postgres.Sql {
    this.admin ??= postgres(this.adminUrl, { ...quiet, max: 2 });
    return this.admin;
  }

  /** A new, empty database (no tables): what a first start sees. */
  async blank(): Promise<string> {
    const name = `${this.prefix}_${++this.count}`;
    await this.sql().unsafe(`create database "${name}"`);
    return name;
  }

  /** A database with the committed migrations applied and no rows (no epoch, no channel). */
  async fresh(): Promise<TestDatabase> {
    let name = this.free.pop();
    if (!name) {
      name = await this.blank();
      await migratePostgres(this.urlFor(name));
    }
    const db = name;
    return { name: db, url: this.urlFor(db), release: () => this.release(db) };
  }

  private async release(name: string): Promise<void> {
    if (this.free.includes(name)) return;
    let cleaner = this.cleaners.get(name);
    if (!cleaner) {
      cleaner = postgres(this.urlFor(name), { ...quiet, max: 1 });
      this.cleaners.set(name, cleaner);
    }
    // DELETE beats TRUNCATE (which fsyncs new files) by far on these small tables.
    await cleaner.begin(async (tx) => {
      for (const table of tableNames) await tx.unsafe(`delete from ${table}`);
      for (const { table, column } of await identityColumns(tx)) {
        await tx.unsafe(`alter table "${table}" alter column "${column}" restart`);
      }
    });
    this.free.push(name);
  }

  async drop(name: string): Promise<void> {
    await this.cleaners.get(name)?.end({ timeout: 1 });
    this.cleaners.delete(name);
    await this.sql().unsafe(`drop database if exists "${name}" with (force)`);
  }

  /**
   * Drops every database of this run (also ones a failed test left behind) and closes the admin connection.
   * A drop takes seconds on a busy machine (3 s at load 15): give the hook DROP_ALL_TIMEOUT_MS.
   */
  async dropAll(): Promise<void> {
    if (!this.admin) return;
    const rows = await this.admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${this.prefix}\\_%`}`;
    for (const { datname } of rows) await this.drop(datname);
    this.free.length = 0;
    await this.admin.end({ timeout: 5 });
    this.admin = undefined;
  }
}
