import { eq } from 'drizzle-orm';
import { afterAll, describe } from 'vitest';
import { newChannelRow } from '../chat-writes';
import { toValue } from '../rows';
import { declaredStreams, type StreamName } from '../streams';
import { newUserRow } from '../test/stores-harness';
import {
  declaredStreamsContract,
  type LoggedEvent,
  type MakeStreamLog,
  streamSamples,
} from '../test/stream-log-contract';
import { openPostgres } from './open';
import { channels, users } from './schema';
import { createPgStreamLog } from './stream-log';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL stream log contract: no server at ${probe.reason}`);

const databases = new TestDatabases();

let channelCount = 0;

/** The log of stream `which` on a migrated, empty database of its own; emptied again on close. */
const onPostgres =
  (which: StreamName): MakeStreamLog =>
  async (retention) => {
    const database = await databases.fresh();
    const handle = await openPostgres(database.url, { poolSize: 4 });
    const { db } = handle;
    const log = createPgStreamLog(handle, declaredStreams[which], retention);
    const sample = streamSamples[which](toValue);
    return {
      epoch: handle.epoch,
      newStream: async () => {
        if (which === 'task') return null;
        if (which === 'user') {
          const row = newUserRow(`u${++channelCount}`);
          await db.insert(users).values(row);
          return row.id;
        }
        const row = newChannelRow({ slug: `c${++channelCount}`, name: 'C', visibility: 'public', createdBy: null });
        await db.insert(channels).values(row);
        return row.id;
      },
      sample,
      append: (key, n, options = {}) =>
        db.transaction(async (tx) => {
          const offset = await log.next(tx, key as never, options.stampAt);
          await log.write(tx, offset, sample(key, n) as never, options.at);
          if (options.fail) throw new Error('rolled back on purpose');
          return offset;
        }),
      appendBatch: (key, from, to) =>
        db.transaction(async (tx) => {
          const offsets: number[] = [];
          for (let n = from; n <= to; n++) offsets.push(await log.append(tx, sample(key, n) as never));
          return offsets;
        }),
      info: (key) => log.info(key as never),
      after: async (key, after, limit) => (await log.after(db, key as never, after, limit)) as LoggedEvent[],
      stamp: async (key) =>
        (await db.select({ at: channels.lastMessageAt }).from(channels).where(eq(channels.id, key)))[0]?.at ?? null,
      close: async () => {
        await handle.close();
        await database.release();
      },
    };
  };

describe.skipIf(!probe.reachable)('PostgreSQL stream log', () => {
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  declaredStreamsContract('PostgreSQL', onPostgres);
});
