import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newChannelRow } from '../chat-writes';
import { declaredStreams, type StreamName } from '../streams';
import { newUserRow } from '../test/stores-harness';
import {
  declaredStreamsContract,
  type LoggedEvent,
  type MakeStreamLog,
  streamSamples,
} from '../test/stream-log-contract';
import { openSqlite, type SqliteHandle } from './open';
import { channels, users } from './schema';
import { createSqliteStreamLog } from './stream-log';

let channelCount = 0;

/** The log of stream `which` on `handle`; `close` ends the database (and removes its file). */
function underTest(handle: SqliteHandle, which: StreamName, retention: number | undefined, close: () => void) {
  const { db } = handle;
  const log = createSqliteStreamLog(handle, declaredStreams[which], retention);
  const sample = streamSamples[which](JSON.stringify);
  return {
    epoch: handle.epoch,
    newStream: async () => {
      if (which === 'task') return null;
      if (which === 'user') {
        const row = newUserRow(`u${++channelCount}`);
        db.insert(users).values(row).run();
        return row.id;
      }
      const row = newChannelRow({ slug: `c${++channelCount}`, name: 'C', visibility: 'public', createdBy: null });
      db.insert(channels).values(row).run();
      return row.id;
    },
    sample,
    append: async (key: string | null, n: number, options: { at?: string; stampAt?: string; fail?: boolean } = {}) =>
      db.transaction((tx) => {
        const offset = log.next(tx, key as never, options.stampAt);
        log.write(tx, offset, sample(key, n) as never, options.at);
        if (options.fail) throw new Error('rolled back on purpose');
        return offset;
      }),
    appendBatch: async (key: string | null, from: number, to: number) =>
      db.transaction((tx) =>
        Array.from({ length: to - from + 1 }, (_, i) => log.append(tx, sample(key, from + i) as never)),
      ),
    info: async (key: string | null) => log.info(key as never),
    after: async (key: string | null, after: number, limit: number) =>
      log.after(db, key as never, after, limit) as LoggedEvent[],
    stamp: async (key: string) =>
      db.select({ at: channels.lastMessageAt }).from(channels).where(eq(channels.id, key)).get()?.at ?? null,
    close: async () => close(),
  };
}

const inMemory =
  (which: StreamName): MakeStreamLog =>
  async (retention) => {
    const handle = openSqlite(':memory:');
    return underTest(handle, which, retention, handle.close);
  };

const inFile =
  (which: StreamName): MakeStreamLog =>
  async (retention) => {
    const dir = mkdtempSync(join(tmpdir(), 'hubbub-log-'));
    const handle = openSqlite(join(dir, 'hubbub.db'));
    return underTest(handle, which, retention, () => {
      handle.close();
      rmSync(dir, { recursive: true, force: true });
    });
  };

describe('SQLite stream log', () => {
  declaredStreamsContract('SQLite :memory:', inMemory);
  declaredStreamsContract('SQLite file', inFile);
});
