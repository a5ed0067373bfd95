import type { StreamInfo } from '@hubbub/core';
import { type DrizzleEntityClass, getTableColumns, is, type SQL, type Table } from 'drizzle-orm';

/** Events kept per stream unless a store is told otherwise; a resume from further back gets `reset`. */
export const DEFAULT_RETENTION = 10_000;

/**
 * Many streams in one events table, one per owner row (a channel), whose
 * head is a column of that row. Names are the schema's property names, the
 * same in both dialects (pg/schema.ts mirrors sqlite/schema.ts).
 */
export interface KeyedStream {
  /** The events table: an `offset` and a `createdAt` column besides `key` and the event's own. */
  events: string;
  /** The events' column naming their stream (`channelId`). */
  key: string;
  head: {
    /** The owner rows (`channels`), found by their `key` column, their last offset in `offset`. */
    table: string;
    key: string;
    offset: string;
    /** A time column a writer may set with the same update (the channel's `lastMessageAt`). */
    stamp?: string;
  };
  /** What NOT_FOUND calls a missing owner row ("channel" → "channel not found"). */
  missing: string;
}

/** One stream in its events table; its head is the row of `counters` named `counter`. */
export interface SingleStream {
  events: string;
  counter: string;
}

/** Where a stream's events and head live. A new stream is a declaration (streams.ts) and its tables. */
export type StreamDeclaration = KeyedStream | SingleStream;

/** Which stream of a log a call means: an owner row's id, or null in a log of one stream. */
export type StreamKey<S extends StreamDeclaration> = S extends KeyedStream ? string : null;

/** The event columns a writer fills: all but those the log fills (offset, createdAt). */
export type EventFields<Row> = Omit<Row, 'offset' | 'createdAt'>;

/** The tables of a dialect's schema that can hold stream events (with an `offset` and a `createdAt`). */
export type EventTableName<Tables> = {
  [T in keyof Tables]: Tables[T] extends { $inferSelect: { offset: number; createdAt: string } } ? T : never;
}[keyof Tables];

/** A declaration whose events table a dialect's schema has. */
export type DeclaredIn<Tables> = StreamDeclaration & { events: EventTableName<Tables> };

/** A stored event of stream `S`, in a dialect's schema. */
export type EventRowOf<Tables, S extends { events: keyof Tables }> = (Tables[S['events']] extends {
  $inferSelect: infer Row;
}
  ? Row
  : never) & { offset: number };

/**
 * What a dialect's calls look like: SQLite answers at once (a better-sqlite3
 * transaction cannot span an await), PostgreSQL with promises.
 */
export interface LogDialect {
  sync: boolean;
  /** The writing transaction. */
  tx: unknown;
  /** What reads may run on: the database or a transaction. */
  reader: unknown;
}

type Answer<D extends LogDialect, T> = D['sync'] extends true ? T : Promise<T>;

/**
 * The stream log: events at gap-free offsets per stream, written inside the
 * caller's transaction, pruned beyond retention, read back after an offset.
 * One implementation per dialect (sqlite/stream-log.ts, pg/stream-log.ts),
 * one contract suite (test/stream-log-contract.ts).
 */
export interface StreamLog<D extends LogDialect, S extends StreamDeclaration, Row extends { offset: number }> {
  /**
   * Takes the stream's next offset, in the writing transaction (PostgreSQL
   * keeps the head row locked until commit: offsets commit in order across
   * instances, and a rollback gives the offset back). `stampAt` also sets
   * the head's stamp column. NOT_FOUND when the owner row is missing.
   */
  next(tx: D['tx'], key: StreamKey<S>, stampAt?: string): Answer<D, number>;
  /** Writes the event at `offset` (taken by `next` in this transaction) as of `at` (now); prunes now and then (pruneThrough). */
  write(tx: D['tx'], offset: number, fields: EventFields<Row>, at?: string): Answer<D, void>;
  /** `next`, then `write`: the new event's offset. */
  append(tx: D['tx'], fields: EventFields<Row>): Answer<D, number>;
  /** The epoch, the head and the oldest retained offset (head + 1 while none is), read at one moment. */
  info(key: StreamKey<S>): Answer<D, StreamInfo>;
  /** Stored events with offset > `after`, oldest first, at most `limit`; `where` narrows them (one task's). */
  after(reader: D['reader'], key: StreamKey<S>, after: number, limit: number, where?: SQL): Answer<D, Row[]>;
}

/** A dialect's log of stream `S`, its events typed by the dialect's schema. */
export type StreamLogIn<Tables, D extends LogDialect, S extends DeclaredIn<Tables>> = StreamLog<
  D,
  S,
  EventRowOf<Tables, S>
>;

/** How often an append prunes (pruneThrough): at every offset that is a multiple of this. */
export const PRUNE_EVERY = 100;

/**
 * What an append at `offset` prunes: every 100th offset, once the stream is
 * longer than `retention`, the events `retention` or more behind it go (so
 * `retention` to `retention + 99` stay). Null: nothing this time.
 */
export function pruneThrough(offset: number, retention: number): number | null {
  return offset % PRUNE_EVERY === 0 && offset > retention ? offset - retention : null;
}

/**
 * A declaration resolved against a dialect's schema (its tables by property
 * name): the tables and columns it names. A wrong name fails when the store is
 * created, not at its first write.
 */
export function resolveStream<T extends Table>(schema: object, kind: DrizzleEntityClass<T>, stream: StreamDeclaration) {
  const tables = new Map<string, unknown>(Object.entries(schema));
  const tableNamed = (name: string): T => {
    const table = tables.get(name);
    if (!is(table, kind)) throw new Error(`stream ${stream.events}: the schema has no table ${name}`);
    return table;
  };
  const columnOf = (table: T, name: string) => {
    const column = getTableColumns(table)[name];
    if (!column) throw new Error(`stream ${stream.events}: no column ${name}`);
    return column;
  };
  const ownerRow = ({ head, missing }: KeyedStream) => {
    const owners = tableNamed(head.table);
    if (head.stamp) columnOf(owners, head.stamp);
    return {
      kind: 'row' as const,
      owners,
      id: columnOf(owners, head.key),
      last: columnOf(owners, head.offset),
      lastName: head.offset,
      stampName: head.stamp ?? null,
      missing,
    };
  };
  const events = tableNamed(stream.events);
  const keyName = 'key' in stream ? stream.key : null;
  return {
    events,
    offset: columnOf(events, 'offset'),
    key: keyName ? columnOf(events, keyName) : null,
    /** The stream an event belongs to, from its fields. */
    keyOf: (fields: object): string | null => (keyName ? ((fields as Record<string, string>)[keyName] ?? null) : null),
    head: 'counter' in stream ? { kind: 'counter' as const, name: stream.counter } : ownerRow(stream),
  };
}
