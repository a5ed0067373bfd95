import { notFound } from '@hubbub/core';
import { and, asc, eq, gt, lte, min, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import {
  DEFAULT_RETENTION,
  type DeclaredIn,
  pruneThrough,
  resolveStream,
  type StreamKey,
  type StreamLogIn,
} from '../stream-log';
import { isoNow } from '../time';
import { type PgDb, type PgHandle, type PgTx, SNAPSHOT } from './open';
import * as schema from './schema';

type Tables = typeof schema;
type Declared = DeclaredIn<Tables>;

export type PgStreamLog<S extends Declared> = StreamLogIn<Tables, { sync: false; tx: PgTx; reader: PgDb | PgTx }, S>;

/**
 * The stream log on PostgreSQL. Taking the next offset is an `UPDATE …
 * RETURNING` (or the counter's upsert) on the stream's head row, which stays
 * locked until commit: writers on any instance get consecutive offsets and
 * commit them in offset order (a reader never sees n + 1 before n), and a
 * rolled-back write leaves no gap. Callers take their other locks before it.
 */
export function createPgStreamLog<S extends Declared>(
  handle: PgHandle,
  stream: S,
  retention = DEFAULT_RETENTION,
): PgStreamLog<S> {
  const { db, epoch } = handle;
  const { events, offset: offsetColumn, key: keyColumn, keyOf, head } = resolveStream(schema, PgTable, stream);
  const ofStream = (key: string | null) => (keyColumn && key !== null ? eq(keyColumn, key) : undefined);
  const heads = pgHead(head);

  const write: PgStreamLog<S>['write'] = async (tx, offset, fields, createdAt = isoNow()) => {
    await tx.insert(events).values({ ...fields, offset, createdAt });
    const upTo = pruneThrough(offset, retention);
    if (upTo !== null) await tx.delete(events).where(and(ofStream(keyOf(fields)), lte(offsetColumn, upTo)));
  };

  return {
    next: (tx, key, stampAt) => heads.take(tx, key, stampAt),
    write,
    append: async (tx, fields) => {
      const offset = await heads.take(tx, keyOf(fields) as StreamKey<S>);
      await write(tx, offset, fields);
      return offset;
    },
    info: (key) =>
      db.transaction(async (tx) => {
        const last = await heads.read(tx, key);
        const [oldest] = await tx
          .select({ offset: min(offsetColumn) })
          .from(events)
          .where(ofStream(key));
        return { epoch, head: last, oldestRetained: (oldest?.offset as number | null | undefined) ?? last + 1 };
      }, SNAPSHOT),
    after: async (reader, key, after, limit, where) =>
      (await reader
        .select()
        .from(events)
        .where(and(ofStream(key), gt(offsetColumn, after), where))
        .orderBy(asc(offsetColumn))
        .limit(limit)) as unknown as Awaited<ReturnType<PgStreamLog<S>['after']>>,
  };
}

/** Takes (locking it) and reads a stream's last offset: a column of the owner row, or a named counter. */
function pgHead(head: ReturnType<typeof resolveStream<PgTable>>['head']) {
  if (head.kind === 'counter') {
    const { counters } = schema;
    return {
      take: async (tx: PgTx, _key: string | null, stampAt?: string) => {
        if (stampAt) throw new Error(`the ${head.name} counter has no stamp`);
        const [row] = await tx
          .insert(counters)
          .values({ name: head.name, value: 1 })
          .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
          .returning({ offset: counters.value });
        if (!row) throw new Error(`the ${head.name} counter did not move`);
        return row.offset;
      },
      read: async (tx: PgTx, _key: string | null) =>
        (await tx.select({ offset: counters.value }).from(counters).where(eq(counters.name, head.name)))[0]?.offset ??
        0,
    };
  }
  const { owners, id, last, lastName, stampName, missing } = head;
  const found = (row: { offset: unknown } | undefined) => {
    if (!row) throw notFound(missing);
    return row.offset as number;
  };
  return {
    take: async (tx: PgTx, key: string | null, stampAt?: string) => {
      if (stampAt && !stampName) throw new Error('stampAt given, but the stream head declares no stamp column');
      const set = { [lastName]: sql`${last} + 1`, ...(stampAt && stampName ? { [stampName]: stampAt } : {}) };
      const [row] = await tx
        .update(owners)
        .set(set)
        .where(eq(id, key ?? ''))
        .returning({ offset: last });
      return found(row);
    },
    read: async (tx: PgTx, key: string | null) =>
      found(
        (
          await tx
            .select({ offset: last })
            .from(owners)
            .where(eq(id, key ?? ''))
        )[0],
      ),
  };
}
