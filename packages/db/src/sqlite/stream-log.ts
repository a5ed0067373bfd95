import { notFound } from '@hubbub/core';
import { and, asc, eq, getTableColumns, gt, lte, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  DEFAULT_RETENTION,
  type DeclaredIn,
  pruneThrough,
  resolveStream,
  type StreamKey,
  type StreamLogIn,
} from '../stream-log';
import { isoNow } from '../time';
import { inlineLimit } from './inline-limit';
import type { SqliteDb, SqliteHandle, SqliteTx } from './open';
import * as schema from './schema';

type Tables = typeof schema;
type Declared = DeclaredIn<Tables>;

export type SqliteStreamLog<S extends Declared> = StreamLogIn<
  Tables,
  { sync: true; tx: SqliteTx; reader: SqliteDb | SqliteTx },
  S
>;

const ph = sql.placeholder;
/** Distinct limits whose resume read stays prepared: bounds the statements however callers page. */
const MAX_PREPARED_LIMITS = 8;

/**
 * The stream log on SQLite. Writes and the resume's read run on statements
 * prepared once (building and preparing SQL per call cost more than running
 * it, on the send path and in a reconnect storm); one connection, so they are
 * valid inside any transaction. SQLite has one writer
 * at a time: taking the next offset needs no lock.
 */
export function createSqliteStreamLog<S extends Declared>(
  handle: SqliteHandle,
  stream: S,
  retention = DEFAULT_RETENTION,
): SqliteStreamLog<S> {
  const { db, epoch } = handle;
  const { events, offset: offsetColumn, key: keyColumn, keyOf, head } = resolveStream(schema, SQLiteTable, stream);
  const ofStream = (key: Placeholder | string | null) => (keyColumn && key !== null ? eq(keyColumn, key) : undefined);
  const heads = sqliteHead(db, head);
  const prepared = {
    insert: db
      .insert(events)
      .values(Object.fromEntries(Object.keys(getTableColumns(events)).map((name) => [name, sql`${ph(name)}`])))
      .prepare(),
    prune: db
      .delete(events)
      .where(and(ofStream(ph('key')), lte(offsetColumn, ph('upTo'))))
      .prepare(),
  };
  // The resume's read (every reconnecting subscriber makes one), prepared per limit (few are asked for: see
  // inlineLimit); a read narrowed by `where` is built per call.
  const afterByLimit = new Map<number, ReturnType<typeof prepareAfter>>();
  const prepareAfter = (limit: number) =>
    db
      .select()
      .from(events)
      .where(and(ofStream(ph('key')), gt(offsetColumn, ph('after'))))
      .orderBy(asc(offsetColumn))
      .limit(inlineLimit(limit))
      .prepare();
  const afterStatement = (limit: number) => {
    let statement = afterByLimit.get(limit);
    if (!statement) {
      statement = prepareAfter(limit);
      if (afterByLimit.size < MAX_PREPARED_LIMITS) afterByLimit.set(limit, statement);
    }
    return statement;
  };

  // The head and the oldest event at one moment, in one statement (every subscribe reads this): the
  // owner row with the least offset of its events, prepared once.
  const oldest = sql<number | null>`(select min(${offsetColumn}) from ${events}${
    keyColumn ? sql` where ${keyColumn} = ${ph('key')}` : sql``
  })`;
  const readHead = heads.withOldest(oldest);
  const info = (key: StreamKey<S>) => {
    const { head: last, oldest: first } = readHead(key);
    return { epoch, head: last, oldestRetained: first ?? last + 1 };
  };

  const write: SqliteStreamLog<S>['write'] = (_tx, offset, fields, createdAt = isoNow()) => {
    prepared.insert.run({ ...fields, offset, createdAt });
    const upTo = pruneThrough(offset, retention);
    if (upTo !== null) prepared.prune.run({ key: keyOf(fields), upTo });
  };

  return {
    next: (_tx, key, stampAt) => heads.take(key, stampAt),
    write,
    append: (tx, fields) => {
      const offset = heads.take(keyOf(fields) as StreamKey<S>);
      write(tx, offset, fields);
      return offset;
    },
    info,
    after: (reader, key, after, limit, where) =>
      (where
        ? reader
            .select()
            .from(events)
            .where(and(ofStream(key), gt(offsetColumn, after), where))
            .orderBy(asc(offsetColumn))
            .limit(inlineLimit(limit))
            .all()
        : afterStatement(limit).all({ key, after })) as ReturnType<SqliteStreamLog<S>['after']>,
  };
}

/**
 * Takes a stream's last offset, and reads it with the stream's oldest event, on prepared statements: a
 * column of the owner row, or a named counter.
 */
function sqliteHead(db: SqliteDb, head: ReturnType<typeof resolveStream<SQLiteTable>>['head']) {
  if (head.kind === 'counter') {
    const { counters } = schema;
    const bump = db
      .insert(counters)
      .values({ name: head.name, value: 1 })
      .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
      .returning({ offset: counters.value })
      .prepare();
    return {
      // No counter row yet: nothing was ever written, so no events either.
      withOldest: (oldest: SQL<number | null>) => {
        const both = db
          .select({ head: counters.value, oldest })
          .from(counters)
          .where(eq(counters.name, head.name))
          .prepare();
        return (_key: string | null) => both.get() ?? { head: 0, oldest: null };
      },
      take: (_key: string | null, stampAt?: string) => {
        if (stampAt) throw new Error(`the ${head.name} counter has no stamp`);
        return bump.get().offset;
      },
    };
  }
  const { owners, id, last, lastName, stampName, missing } = head;
  const bumped = { [lastName]: sql`${last} + 1` };
  const prepared = {
    bump: db
      .update(owners)
      .set(bumped)
      .where(eq(id, ph('key')))
      .returning({ offset: last })
      .prepare(),
    bumpStamped: stampName
      ? db
          .update(owners)
          .set({ ...bumped, [stampName]: sql`${ph('at')}` })
          .where(eq(id, ph('key')))
          .returning({ offset: last })
          .prepare()
      : null,
  };
  const found = (row: { offset: unknown } | undefined) => {
    if (!row) throw notFound(missing);
    return row.offset as number;
  };
  return {
    take: (key: string | null, stampAt?: string) => {
      if (!stampAt) return found(prepared.bump.get({ key }));
      if (!prepared.bumpStamped) throw new Error('stampAt given, but the stream head declares no stamp column');
      return found(prepared.bumpStamped.get({ key, at: stampAt }));
    },
    withOldest: (oldest: SQL<number | null>) => {
      const both = db
        .select({ head: last, oldest })
        .from(owners)
        .where(eq(id, ph('key')))
        .prepare();
      return (key: string | null) => {
        const row = both.get({ key });
        if (!row) throw notFound(missing);
        return row;
      };
    },
  };
}
