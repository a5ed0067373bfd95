import type { ChatStore, NewMessage, StreamEvent } from '@hubbub/core';
import postgres from 'postgres';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newMessageRow } from '../chat-writes';
import { toValue } from '../rows';
import { createPostgresStores, type Stores } from '../stores';
import { expectAppError, makeUser } from '../test/stores-harness';
import { createGroupCommit, GROUP_COMMIT_MAX_BATCH } from './group-commit';
import { lockChannels, sendsJson, writeSends } from './message-batch';
import { openPostgres } from './open';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL group commit tests: no server at ${probe.reason}`);

const databases = new TestDatabases();

/**
 * Group commit of sends on PostgreSQL (group-commit.ts, used by the chat
 * store): sends that arrive together share a transaction, each in its own
 * savepoint. Seen from outside it is the ChatStore contract under load.
 */
describe.skipIf(!probe.reachable)('PostgreSQL sends in shared transactions', () => {
  const open: Stores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((stores) => stores.close()));
  });
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  /** `n` instances (stores with pools of their own) on one fresh database. */
  async function instances(n = 1): Promise<Stores[]> {
    const database = await databases.fresh();
    const all = await Promise.all(Array.from({ length: n }, () => createPostgresStores(database.url, { poolSize: 4 })));
    open.push(...all);
    return all;
  }
  const first = <T>(list: T[]): T => {
    const item = list[0];
    if (item === undefined) throw new Error('empty list');
    return item;
  };

  /** A public channel made by `ownerId` (offset 1 is their join), with `memberIds` joined after. */
  async function channel(chat: ChatStore, slug: string, ownerId: string, memberIds: string[] = []) {
    const { channel } = await chat.createChannel({ slug, name: slug, visibility: 'public', createdBy: ownerId });
    for (const userId of memberIds) await chat.join(channel.id, userId);
    return channel;
  }

  /** The channel's stored event offsets, in order. */
  async function offsets(chat: ChatStore, channelId: string): Promise<number[]> {
    return (await chat.eventsAfter(channelId, 0, 10_000)).map((e) => e.offset);
  }
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const offsetOf = (event: StreamEvent | null) => {
    if (!event) throw new Error('no event');
    return event.offset;
  };

  it('stores many concurrent sends to one channel and to several, each gap-free and in the order sent', async () => {
    const stores = first(await instances());
    const ada = await makeUser(stores.users);
    const busy = await channel(stores.chat, 'busy', ada.id);
    const others = [await channel(stores.chat, 'one', ada.id), await channel(stores.chat, 'two', ada.id)];
    // More than one batch holds, sent in one turn, and more while those are in flight.
    const count = GROUP_COMMIT_MAX_BATCH * 2 + 10;
    const send = (input: Omit<NewMessage, 'authorId'>) => stores.chat.sendMessage({ ...input, authorId: ada.id });
    const burst = Array.from({ length: count }, (_, i) => send({ channelId: busy.id, content: `busy ${i}` }));
    await burst[0];
    const spread = Array.from({ length: 60 }, (_, i) => {
      const target = i % 3 === 0 ? busy : (others[i % 2] ?? busy);
      return send({ channelId: target.id, content: `spread ${i}`, checkPostAccess: true });
    });
    const sent = await Promise.all([...burst, ...spread]);

    // Each message's seq is its event's offset; in one channel, sends submitted together keep their order.
    for (const { message, event } of sent) expect(offsetOf(event)).toBe(message.seq);
    const burstOffsets = sent.slice(0, count).map(({ message }) => message.seq);
    expect(burstOffsets).toEqual(range(2, count + 1));
    for (const target of [busy, ...others]) {
      const seqs = sent.filter(({ message }) => message.channelId === target.id).map(({ message }) => message.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(await offsets(stores.chat, target.id)).toEqual(range(1, seqs.length + 1));
      expect((await stores.chat.streamInfo(target.id)).head).toBe(seqs.length + 1);
    }
    const history = await stores.chat.history(busy.id, { limit: 500 });
    expect(history.items).toHaveLength(count + 20);
    expect(history.items.find((m) => m.content === 'busy 0')).toEqual(sent[0]?.message);
  });

  it('fails a failing send alone: the others in its batch commit, at gap-free offsets', async () => {
    const stores = first(await instances());
    const ada = await makeUser(stores.users);
    const bob = await makeUser(stores.users);
    const dev = await channel(stores.chat, 'dev', ada.id);
    const { channel: secret } = await stores.chat.createChannel({
      slug: 'secret',
      name: 'Secret',
      visibility: 'private',
      createdBy: ada.id,
    });
    const send = (input: NewMessage) => stores.chat.sendMessage(input);
    // All in one turn, so all in one batch; each failure comes at another step of a send.
    const outcomes = await Promise.allSettled([
      send({ channelId: dev.id, authorId: ada.id, content: 'one' }),
      // Not a member (the check under the channel lock).
      send({ channelId: dev.id, authorId: bob.id, content: 'outsider', checkPostAccess: true }),
      send({ channelId: dev.id, authorId: ada.id, content: 'two' }),
      // No such channel (no offset to take).
      send({ channelId: 'no-such-channel', authorId: ada.id, content: 'lost' }),
      // A private channel answers an outsider like one that does not exist.
      send({ channelId: secret.id, authorId: bob.id, content: 'peek', checkPostAccess: true }),
      // After its offset was taken: a value the database cannot store.
      send({
        channelId: dev.id,
        authorId: ada.id,
        content: 'unstorable',
        meta: { tokenCount: 1n as unknown as number },
      }),
      // A reply to a root that does not exist.
      send({ channelId: dev.id, authorId: ada.id, content: 'orphan', threadId: 'no-such-message' }),
      send({ channelId: secret.id, authorId: ada.id, content: 'inside', checkPostAccess: true }),
      send({ channelId: dev.id, authorId: ada.id, content: 'three' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    await expectAppError(Promise.reject((outcomes[1] as PromiseRejectedResult).reason), 'FORBIDDEN');
    await expectAppError(Promise.reject((outcomes[3] as PromiseRejectedResult).reason), 'NOT_FOUND');
    await expectAppError(Promise.reject((outcomes[4] as PromiseRejectedResult).reason), 'NOT_FOUND');
    await expectAppError(Promise.reject((outcomes[6] as PromiseRejectedResult).reason), 'NOT_FOUND');
    const stored = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.message] : []));
    expect(stored.map((m) => [m.content, m.seq])).toEqual([
      ['one', 2],
      ['two', 3],
      ['inside', 2],
      ['three', 4],
    ]);
    expect(await offsets(stores.chat, dev.id)).toEqual([1, 2, 3, 4]);
    expect(await offsets(stores.chat, secret.id)).toEqual([1, 2]);
    expect((await stores.chat.history(dev.id, { limit: 10 })).items.map((m) => m.content)).toEqual([
      'three',
      'two',
      'one',
    ]);
  });

  it('refuses sends of a batch of plain ones alone, and a value the database refuses fails alone too', async () => {
    const stores = first(await instances());
    const ada = await makeUser(stores.users);
    const bob = await makeUser(stores.users);
    const dev = await channel(stores.chat, 'dev', ada.id);
    const send = (input: NewMessage) => stores.chat.sendMessage(input);
    // No thread, no files: the batch's sends are written together, after the access of each was checked.
    const refused = await Promise.allSettled([
      send({ channelId: dev.id, authorId: ada.id, content: 'one', checkPostAccess: true, clientId: 'c1' }),
      send({ channelId: dev.id, authorId: bob.id, content: 'outsider', checkPostAccess: true }),
      send({ channelId: 'no-such-channel', authorId: ada.id, content: 'lost' }),
      send({ channelId: dev.id, authorId: null, content: 'system note' }),
    ]);
    expect(refused.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    await expectAppError(Promise.reject((refused[1] as PromiseRejectedResult).reason), 'FORBIDDEN');
    await expectAppError(Promise.reject((refused[2] as PromiseRejectedResult).reason), 'NOT_FOUND');
    const [one, , , note] = refused.map((o) => (o.status === 'fulfilled' ? o.value : null));
    expect([one?.message.seq, note?.message.seq]).toEqual([2, 3]);
    expect(one?.message.author).toEqual({ handle: ada.handle, displayName: ada.displayName });
    expect(note?.message.author).toBeNull();
    expect(await stores.chat.messageById(one?.message.id as string)).toEqual(one?.message);

    // A value that cannot be written fails the batch's write before anything is sent; its sends go again one by one.
    const unstorable = await Promise.allSettled([
      send({ channelId: dev.id, authorId: ada.id, content: 'four' }),
      send({ channelId: dev.id, authorId: ada.id, content: 'bad', meta: { tokenCount: 1n as unknown as number } }),
      send({ channelId: dev.id, authorId: ada.id, content: 'five' }),
    ]);
    expect(unstorable.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // One PostgreSQL refuses (text holds no NUL) aborts the batch's transaction: its COMMIT rolls back, its sends
    // go again one by one, and the others are stored once, at the offsets that follow.
    const refusedByDatabase = await Promise.allSettled([
      send({ channelId: dev.id, authorId: ada.id, content: 'four and a half' }),
      send({ channelId: dev.id, authorId: ada.id, content: 'nul \u0000 byte' }),
    ]);
    expect(refusedByDatabase.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    // A retry of a send stored earlier, in a batch with a new one: the earlier message, nothing appended for it.
    const [retried, six] = await Promise.all([
      send({ channelId: dev.id, authorId: ada.id, content: 'one again', checkPostAccess: true, clientId: 'c1' }),
      send({ channelId: dev.id, authorId: ada.id, content: 'six', checkPostAccess: true, clientId: 'c6' }),
    ]);
    expect(retried.event).toBeNull();
    expect(retried.message.id).toBe(one?.message.id);
    expect(six.message.seq).toBe(7);
    expect(await offsets(stores.chat, dev.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await stores.chat.history(dev.id, { limit: 10 })).items.map((m) => m.content)).toEqual([
      'six',
      'four and a half',
      'five',
      'four',
      'system note',
      'one',
    ]);
  });

  it('prunes a batch crossing a hundred as sends one at a time would, and stores its mentions', async () => {
    const database = await databases.fresh();
    const stores = await createPostgresStores(database.url, { poolSize: 4, chat: { retention: 100 } });
    open.push(stores);
    const ada = await makeUser(stores.users);
    const bob = await makeUser(stores.users);
    const dev = await channel(stores.chat, 'dev', ada.id, [bob.id]);
    // Offsets 3…252 in batches of up to 64: one crosses 200, and prunes what a write at 200 would (up to 100).
    const sent = await Promise.all(
      range(1, 250).map((i) =>
        stores.chat.sendMessage({
          channelId: dev.id,
          authorId: ada.id,
          content: `#${i}`,
          meta: i % 50 === 0 ? { mentions: [bob.id] } : undefined,
        }),
      ),
    );
    expect(sent.map((s) => s.message.seq).sort((a, b) => a - b)).toEqual(range(3, 252));
    expect(await stores.chat.streamInfo(dev.id)).toMatchObject({ head: 252, oldestRetained: 101 });
    expect(await offsets(stores.chat, dev.id)).toEqual(range(101, 252));
    const client = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const stored = await client<{ seq: string }[]>`
        select seq from mentions where user_id = ${bob.id} and channel_id = ${dev.id} order by seq`;
      const mentioned = sent.filter((s) => s.message.meta?.mentions?.length).map((s) => s.message.seq);
      expect(stored.map((r) => Number(r.seq))).toEqual(mentioned.sort((a, b) => a - b));
      expect(mentioned).toHaveLength(5);
    } finally {
      await client.end();
    }
  });

  it('answers a retry with the same clientId inside one batch with the first message, stored once', async () => {
    const stores = first(await instances());
    const ada = await makeUser(stores.users);
    const dev = await channel(stores.chat, 'dev', ada.id);
    const send = (content: string, clientId: string, threadId?: string) =>
      stores.chat.sendMessage({
        channelId: dev.id,
        authorId: ada.id,
        content,
        clientId,
        threadId,
        checkPostAccess: true,
      });
    const [a, again, b, thrice] = await Promise.all([
      send('a', 'client-a'),
      send('a (retried)', 'client-a'),
      send('b', 'client-b'),
      send('a (retried again)', 'client-a'),
    ]);
    expect(a?.event?.offset).toBe(2);
    expect(b?.event?.offset).toBe(3);
    for (const retry of [again, thrice]) {
      expect(retry?.event).toBeNull();
      expect(retry?.message).toEqual(a?.message);
    }
    // A reply retried in the batch that stores it counts once on its root.
    const root = a?.message.id as string;
    const replies = await Promise.all([send('reply', 'client-r', root), send('reply', 'client-r', root)]);
    expect(replies.map((r) => r.message.id)).toEqual([replies[0]?.message.id, replies[0]?.message.id]);
    expect(replies.map((r) => r.event === null)).toEqual([false, true]);
    expect((await stores.chat.messageById(root))?.thread?.replyCount).toBe(1);
    // Offsets: a, b, the reply and its thread.updated; nothing for the retries.
    expect(await offsets(stores.chat, dev.id)).toEqual([1, 2, 3, 4, 5]);
    expect((await stores.chat.history(dev.id, { limit: 10 })).items.map((m) => m.content)).toEqual(['b', 'a']);
  });

  it('finds a retry by the unique index, reading no more of a grown table than of a small one', async () => {
    const database = await databases.fresh();
    const stores = await createPostgresStores(database.url, { poolSize: 2 });
    open.push(stores);
    const ada = await makeUser(stores.users);
    const long = await channel(stores.chat, 'long', ada.id);
    // The store's own kind of connection (drizzle's: JSON parameters go as the text given).
    const handle = await openPostgres(database.url, { poolSize: 1 });
    const sql = await handle.db.$client.reserve();
    const createdAt = new Date().toISOString();
    const send = (clientId: string) => ({
      row: newMessageRow({ channelId: long.id, authorId: ada.id, content: 'new', clientId }, 0, createdAt, toValue),
      checkPostAccess: true,
      mentions: [],
    });
    const batch = async (clientId: string) => {
      await sql`begin`;
      await sql`set local plan_cache_mode = force_generic_plan`;
      await lockChannels(sql, [long.id]);
      return writeSends(sql, sendsJson([send(clientId)]), createdAt, 1000);
    };
    // Pages of `messages` and its indexes read so far by this connection (counted until its statistics flush).
    const pagesRead = async () => {
      const [read] = await sql<{ pages: string }[]>`
        select pg_stat_get_xact_blocks_fetched('messages'::regclass)
          + (select sum(pg_stat_get_xact_blocks_fetched(indexrelid)) from pg_index
             where indrelid = 'messages'::regclass) as pages`;
      return Number(read?.pages);
    };
    const earlierSends = (from: number, to: number) => sql`
      insert into messages (id, channel_id, seq, author_id, role, status, content, client_id, created_at)
      select 'old-' || g, ${long.id}, 100 + g, ${ada.id}, 'user', 'complete', 'earlier', 'client-' || g, now()
      from generate_series(${from}::int, ${to}::int) g`;
    try {
      // The first batch plans its statement while `messages` holds 100 rows, as in a new server's first
      // seconds; the connection keeps that plan.
      await earlierSends(1, 100);
      let before = await pagesRead();
      expect((await batch('first'))[0]?.seq).toBe(2);
      const whenSmall = (await pagesRead()) - before;
      await sql`commit`;
      // Then 20,000 earlier sends of hers with clientIds, and no ANALYZE: a plan that scanned them (as a read of
      // the clientId planned on that small table did) would read hundreds of pages.
      await earlierSends(101, 20000);
      await sql`update channels set last_offset = 20100 where id = ${long.id}`;
      before = await pagesRead();
      expect((await batch('second'))[0]?.seq).toBe(20101);
      const whenGrown = (await pagesRead()) - before;
      await sql`commit`;
      expect(whenGrown).toBeLessThan(whenSmall + 20);
      // A retry meets the unique index: the statement fails, and the store runs such a batch one by one.
      await expect(batch('client-7')).rejects.toMatchObject({ code: '23505' });
      await sql`rollback`;
    } finally {
      sql.release();
      await handle.close();
    }
  });

  it('takes locks in one order across batches: replies and sends over two channels on two instances all commit', async () => {
    const [one, two] = await instances(2);
    if (!one || !two) throw new Error('two instances');
    const ada = await makeUser(one.users);
    const left = await channel(one.chat, 'left', ada.id);
    const right = await channel(one.chat, 'right', ada.id);
    const roots = await Promise.all([
      one.chat.sendMessage({ channelId: left.id, authorId: ada.id, content: 'left root' }),
      one.chat.sendMessage({ channelId: right.id, authorId: ada.id, content: 'right root' }),
    ]);
    const [leftRoot, rightRoot] = roots.map((r) => r.message.id);
    // Each instance sends to both channels in opposite orders, half of them replies.
    const sends = [one, two].flatMap((stores, s) =>
      Array.from({ length: 40 }, (_, i) => {
        const toLeft = (i + s) % 2 === 0;
        return stores.chat.sendMessage({
          channelId: toLeft ? left.id : right.id,
          authorId: ada.id,
          content: `${s}:${i}`,
          threadId: i % 4 < 2 ? (toLeft ? leftRoot : rightRoot) : undefined,
        });
      }),
    );
    const sent = await Promise.all(sends);
    const events = sent.flatMap((r) => [r.event, r.threadEvent ?? null]).filter((e) => e !== null);
    for (const target of [left, right]) {
      const mine = events.filter((e) => e.channelId === target.id).map((e) => e.offset);
      // Offset 1 the join, 2 the root; then every event once.
      expect(mine.sort((a, b) => a - b)).toEqual(range(3, mine.length + 2));
      expect(await offsets(two.chat, target.id)).toEqual(range(1, mine.length + 2));
    }
    for (const root of [leftRoot, rightRoot]) {
      expect((await two.chat.messageById(root as string))?.thread?.replyCount).toBe(20);
    }
  });

  it('runs a batch at once inside its transaction, and one by one when a statement fails or nothing was written', async () => {
    const handle = await openPostgres((await databases.fresh()).url, { poolSize: 2 });
    try {
      let answer: 'write' | 'fail' | 'nothing' = 'write';
      const oneByOne: string[] = [];
      const modes: string[] = [];
      const send = createGroupCommit<string, string>(
        handle.db,
        async (_tx, item) => {
          oneByOne.push(item);
          return `${item} alone`;
        },
        {
          runAll: (batch) =>
            batch.some((item) => item.startsWith('odd'))
              ? null
              : async (sql) => {
                  // Sent at once, before COMMIT: it runs in the batch's transaction (its `set local` holds).
                  const [row] = await sql<{ mode: string }[]>`
                    select current_setting('plan_cache_mode') as mode, 1 / ${answer === 'fail' ? 0 : 1} as one`.execute();
                  modes.push(row?.mode ?? '');
                  return answer === 'nothing' ? null : batch.map((item) => ({ ok: true, value: `${item} together` }));
                },
        },
      );
      expect(await Promise.all([send('a'), send('b')])).toEqual(['a together', 'b together']);
      expect(modes).toEqual(['force_generic_plan']);
      // A batch the writer declines, a failing statement, a writer that wrote nothing: each item runs alone.
      expect(await Promise.all([send('c'), send('odd d')])).toEqual(['c alone', 'odd d alone']);
      answer = 'fail';
      expect(await Promise.all([send('e'), send('f')])).toEqual(['e alone', 'f alone']);
      answer = 'nothing';
      expect(await send('g')).toBe('g alone');
      expect(oneByOne).toEqual(['c', 'odd d', 'e', 'f', 'g']);
      expect(modes).toEqual(['force_generic_plan', 'force_generic_plan']);
    } finally {
      await handle.close();
    }
  });
});
