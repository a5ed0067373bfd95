import type { StreamInfo } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneThrough, type StreamDeclaration } from '../stream-log';
import { declaredStreams, type StreamName } from '../streams';
import { expectAppError } from './stores-harness';

/** A stored event as the contract reads it back: its offset, its time and the fields it was written with. */
export type LoggedEvent = { offset: number; createdAt: string } & Record<string, unknown>;

/**
 * One declared stream's log on a backend, driven through promises; each
 * append runs in a transaction of its own.
 */
export interface StreamLogUnderTest {
  epoch: string;
  /** A stream with no events yet: a new owner row's id in a keyed log, null in a log of one stream. */
  newStream(): Promise<string | null>;
  /** The fields of sample event `n` of stream `key`, as `after` reads them back. */
  sample(key: string | null, n: number): Record<string, unknown>;
  /** Takes the next offset and writes sample `n` there (at `at`), in one transaction; `fail` then rolls it back. */
  append(key: string | null, n: number, options?: { at?: string; stampAt?: string; fail?: boolean }): Promise<number>;
  /** Appends samples `from` to `to` in order, in one transaction (as SQLite's group commit does); their offsets. */
  appendBatch(key: string | null, from: number, to: number): Promise<number[]>;
  info(key: string | null): Promise<StreamInfo>;
  after(key: string | null, after: number, limit: number): Promise<LoggedEvent[]>;
  /** The head row's stamp column (a channel's lastMessageAt); only for a stream whose head has one. */
  stamp?(key: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A fresh log on empty tables, keeping about `retention` events per stream (the default when absent). */
export type MakeStreamLog = (retention?: number) => Promise<StreamLogUnderTest>;

/** Sample events of each declared stream; `encode` stores JSON the dialect's way (as `after` reads it back). */
export const streamSamples: Record<
  StreamName,
  (encode: (value: unknown) => unknown) => (key: string | null, n: number) => Record<string, unknown>
> = {
  channel:
    (encode: (value: unknown) => unknown) =>
    (key: string | null, n: number): Record<string, unknown> => ({
      channelId: key,
      type: 'member.left',
      messageId: null,
      payload: encode({ type: 'member.left', userId: `user-${n}` }),
    }),
  user:
    (encode: (value: unknown) => unknown) =>
    (key: string | null, n: number): Record<string, unknown> => ({
      userId: key,
      type: 'channel.left',
      payload: encode({ type: 'channel.left', channelId: `channel-${n}`, by: null }),
    }),
  task:
    (encode: (value: unknown) => unknown) =>
    (_key: string | null, n: number): Record<string, unknown> => ({
      taskId: `task-${n % 3}`,
      type: 'run_update',
      payload: encode({ type: 'run_update', n }),
    }),
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The StreamLog contract for every declared stream (streams.ts) on one
 * backend: `makeLog(name)` makes fresh logs of that stream.
 */
export function declaredStreamsContract(backend: string, makeLog: (stream: StreamName) => MakeStreamLog): void {
  for (const [name, stream] of Object.entries(declaredStreams) as [StreamName, StreamDeclaration][]) {
    streamLogContract(`StreamLog contract, ${name} stream (${backend})`, makeLog(name));
    if ('key' in stream) {
      keyedStreamLogContract(`StreamLog contract, keyed: ${name} streams (${backend})`, makeLog(name), {
        stamped: Boolean(stream.head.stamp),
      });
    }
  }
}

/** What every stream log promises. */
export function streamLogContract(name: string, makeLog: MakeStreamLog): void {
  describe(name, () => {
    let log: StreamLogUnderTest;
    let key: string | null;

    beforeEach(async () => {
      log = await makeLog();
      key = await log.newStream();
    });
    afterEach(async () => {
      await log.close();
    });

    /** One append (and transaction) after the other. */
    const appendAll = async (from: number, to: number) => {
      const offsets: number[] = [];
      for (const n of range(from, to)) offsets.push(await log.append(key, n));
      return offsets;
    };

    it('starts a stream empty, at head 0, in the database epoch', async () => {
      expect(log.epoch.length).toBeGreaterThan(0);
      expect(await log.info(key)).toEqual({ epoch: log.epoch, head: 0, oldestRetained: 1 });
      expect(await log.after(key, 0, 10)).toEqual([]);
    });

    it('appends at the next offset, gap-free, and reads the events back oldest first', async () => {
      expect(await appendAll(1, 5)).toEqual([1, 2, 3, 4, 5]);
      expect(await log.info(key)).toEqual({ epoch: log.epoch, head: 5, oldestRetained: 1 });
      const events = await log.after(key, 0, 100);
      expect(events.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
      events.forEach((event, i) => {
        expect(event).toMatchObject(log.sample(key, i + 1));
        expect(event.createdAt).toMatch(ISO);
      });
    });

    it('reads a page after any offset, at most `limit`', async () => {
      await appendAll(1, 5);
      expect((await log.after(key, 2, 2)).map((e) => e.offset)).toEqual([3, 4]);
      expect((await log.after(key, 4, 10)).map((e) => e.offset)).toEqual([5]);
      expect(await log.after(key, 5, 10)).toEqual([]);
    });

    it('answers each of many different limits with that many (and a limit of 0 with none)', async () => {
      await appendAll(1, 12);
      for (const limit of range(0, 12)) {
        expect((await log.after(key, 0, limit)).map((e) => e.offset)).toEqual(range(1, limit));
      }
      expect((await log.after(key, 0, 3)).map((e) => e.offset)).toEqual([1, 2, 3]);
    });

    it('writes an event at the time given, else now', async () => {
      const at = '2030-01-02T03:04:05.678Z';
      await log.append(key, 1, { at });
      const before = Date.now();
      await log.append(key, 2);
      const [first, second] = await log.after(key, 0, 10);
      expect(first?.createdAt).toBe(at);
      // Allow for a database clock a little apart from ours.
      expect(Date.parse(second?.createdAt ?? '')).toBeGreaterThanOrEqual(before - 1_000);
    });

    it('gives a rolled-back append its offset back', async () => {
      expect(await log.append(key, 1)).toBe(1);
      await expect(log.append(key, 2, { fail: true })).rejects.toThrow();
      expect(await log.append(key, 3)).toBe(2);
      const events = await log.after(key, 0, 10);
      expect(events).toEqual([expect.objectContaining({ offset: 1 }), expect.objectContaining({ offset: 2 })]);
      expect(events[1]).toMatchObject(log.sample(key, 3));
      expect((await log.info(key)).head).toBe(2);
    });

    it('gives concurrent appends each offset once, and a reader sees them in offset order', async () => {
      const total = 30;
      // A reader keeps paging while the appends run: if n + 1 could commit before n, it would skip n.
      let writing = true;
      const gaps: string[] = [];
      const reading = (async () => {
        let seen = 0;
        const readPage = async () => {
          const page = await log.after(key, seen, 10);
          for (const event of page) {
            if (event.offset !== seen + 1) gaps.push(`after ${seen} came ${event.offset}`);
            seen = event.offset;
          }
          return page.length;
        };
        while (writing) await readPage();
        while ((await readPage()) > 0);
        return seen;
      })();
      const offsets = await Promise.all(range(1, total).map((n) => log.append(key, n)));
      writing = false;
      expect(await reading).toBe(total);
      expect(gaps).toEqual([]);
      expect([...offsets].sort((a, b) => a - b)).toEqual(range(1, total));
      expect((await log.after(key, 0, 1_000)).map((e) => e.offset)).toEqual(range(1, total));
      expect((await log.info(key)).head).toBe(total);
    });

    it('prunes, every 100th offset, the events `retention` or more behind it', async () => {
      const small = await makeLog(10);
      try {
        const busy = await small.newStream();
        expect(await small.appendBatch(busy, 1, 99)).toEqual(range(1, 99));
        expect(await small.info(busy)).toMatchObject({ head: 99, oldestRetained: 1 });
        expect(await small.append(busy, 100)).toBe(100);
        const oldest = (pruneThrough(100, 10) ?? 0) + 1;
        expect(oldest).toBe(91);
        expect(await small.info(busy)).toEqual({ epoch: small.epoch, head: 100, oldestRetained: oldest });
        // Nothing more goes until the next 100th offset; new events go on from the head.
        expect(await small.appendBatch(busy, 101, 150)).toEqual(range(101, 150));
        expect(await small.info(busy)).toMatchObject({ head: 150, oldestRetained: oldest });
        expect((await small.after(busy, 0, 1_000)).map((e) => e.offset)).toEqual(range(oldest, 150));
      } finally {
        await small.close();
      }
    });
  });
}

/** What only a log of many streams (one per owner row) promises; run it besides streamLogContract. */
export function keyedStreamLogContract(
  name: string,
  makeLog: MakeStreamLog,
  options: { stamped: boolean } = { stamped: false },
): void {
  describe(name, () => {
    let log: StreamLogUnderTest;
    beforeEach(async () => {
      log = await makeLog();
    });
    afterEach(async () => {
      await log.close();
    });
    const newStream = async () => {
      const key = await log.newStream();
      if (key === null) throw new Error('a keyed log gives each stream a key');
      return key;
    };

    it('keeps streams apart: offsets, reads and info per stream', async () => {
      const a = await newStream();
      const b = await newStream();
      const offsets = [
        await log.append(a, 1),
        await log.append(b, 1),
        await log.append(a, 2),
        await log.append(a, 3),
        await log.append(b, 2),
      ];
      expect(offsets).toEqual([1, 1, 2, 3, 2]);
      const inA = await log.after(a, 0, 100);
      expect(inA.map((e) => e.offset)).toEqual([1, 2, 3]);
      inA.forEach((event, i) => {
        expect(event).toMatchObject(log.sample(a, i + 1));
      });
      expect((await log.after(b, 0, 100)).map((e) => e.offset)).toEqual([1, 2]);
      expect(await log.info(a)).toMatchObject({ head: 3, oldestRetained: 1 });
      expect(await log.info(b)).toMatchObject({ head: 2, oldestRetained: 1 });
    });

    it('answers NOT_FOUND for a stream whose owner row is missing, and reads nothing', async () => {
      await expectAppError(log.append('no-such-owner', 1), 'NOT_FOUND');
      await expectAppError(log.info('no-such-owner'), 'NOT_FOUND');
      expect(await log.after('no-such-owner', 0, 10)).toEqual([]);
    });

    it('prunes each stream by its own offsets', async () => {
      const small = await makeLog(10);
      try {
        const busy = await small.newStream();
        const quiet = await small.newStream();
        await small.append(quiet, 1);
        await small.appendBatch(busy, 1, 100);
        expect(await small.info(busy)).toMatchObject({ head: 100, oldestRetained: 91 });
        expect(await small.info(quiet)).toMatchObject({ head: 1, oldestRetained: 1 });
      } finally {
        await small.close();
      }
    });

    // Only a stream whose head has a stamp column promises this (a channel's, not a user's): not even listed otherwise.
    if (options.stamped)
      it('sets the head row stamp with the offset when asked, and only then', async () => {
        const key = await newStream();
        const stamp = log.stamp?.bind(log);
        if (!stamp) throw new Error('a stamped stream under test answers stamp()');
        await log.append(key, 1);
        expect(await stamp(key)).toBeNull();
        const at = '2030-01-02T03:04:05.678Z';
        expect(await log.append(key, 2, { stampAt: at })).toBe(2);
        expect(await stamp(key)).toBe(at);
        await log.append(key, 3);
        expect(await stamp(key)).toBe(at);
      });
  });
}
