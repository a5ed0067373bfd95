import { AppError, type StreamEvent, type User } from '@hubbub/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPostgresStores, type Stores } from '../stores';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL scale-out tests: no server at ${probe.reason}`);

const databases = new TestDatabases();

/**
 * What several server processes on one database look like: each instance is
 * a `createPostgresStores` of its own, with its own pool.
 */
describe.skipIf(!probe.reachable)('PostgreSQL stores shared by several instances', () => {
  const open: Stores[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((stores) => stores.close()));
  });
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  /** `n` instances started at the same moment on one brand-new database (no tables yet). */
  async function instances(n: number, poolSize = 5): Promise<{ url: string; all: Stores[] }> {
    const url = databases.urlFor(await databases.blank());
    const all = await Promise.all(Array.from({ length: n }, () => createPostgresStores(url, { poolSize })));
    open.push(...all);
    return { url, all };
  }
  const at = <T>(list: T[], i: number): T => {
    const item = list[i % list.length];
    if (item === undefined) throw new Error('empty list');
    return item;
  };

  it('start together on an empty database: one migration, one epoch, one #general', async () => {
    const { all } = await instances(4);
    const epochs = new Set(all.map((s) => s.chat.epoch()));
    expect(epochs.size).toBe(1);
    expect(new Set(all.map((s) => s.tasks.epoch()))).toEqual(epochs);
    const first = at(all, 0);
    const ada = await first.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' });
    for (const stores of all) {
      expect(stores.kind).toBe('postgres');
      expect((await stores.chat.listChannels(ada.id)).map((c) => c.slug)).toEqual(['general']);
    }
  });

  it('200 concurrent sends on 4 instances get offsets 1..200 exactly once, committed in order', async () => {
    const { all } = await instances(5);
    const writers = all.slice(0, 4);
    const reader = at(all, 4);
    const first = at(all, 0);
    const ada = await first.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' });
    const { channel } = await first.chat.createChannel({
      slug: 'busy',
      name: 'Busy',
      visibility: 'public',
      createdBy: null,
    });
    const total = 200;

    // A subscriber on a fifth instance keeps reading the stream while it is written: the offsets it sees
    // must grow one by one. (If n + 1 could commit before n, it would read past n and never see it.)
    let writing = true;
    const gaps: string[] = [];
    const reading = (async () => {
      let seen = 0;
      let reads = 0;
      const read = async () => {
        reads++;
        const events = await reader.chat.eventsAfter(channel.id, seen, 50);
        for (const event of events) {
          if (event.offset !== seen + 1) gaps.push(`after ${seen} came ${event.offset}`);
          seen = event.offset;
        }
        return events.length;
      };
      while (writing) await read();
      // Then the rest (grouped commits can finish faster than pages of 50 are read).
      while ((await read()) > 0);
      return { seen, reads };
    })();

    const sent = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        at(writers, i).chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: `m${i}` }),
      ),
    );
    writing = false;
    const { seen, reads } = await reading;
    expect(seen).toBe(total);
    expect(reads).toBeGreaterThan(2);
    expect(gaps).toEqual([]);

    const offsets = sent.map((s) => s.event?.offset ?? -1);
    expect([...offsets].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const { message, event } of sent) expect(message.seq).toBe(event?.offset);

    const stored = await first.chat.eventsAfter(channel.id, 0, 1_000);
    expect(stored.map((e) => e.offset)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const contentAt = new Map(sent.map((s) => [s.event?.offset, s.message.content]));
    for (const event of stored) {
      expect(event.change.type === 'message.created' && event.change.message.content).toBe(contentAt.get(event.offset));
    }
    expect(await at(all, 2).chat.streamInfo(channel.id)).toEqual({
      epoch: first.chat.epoch(),
      head: total,
      oldestRetained: 1,
    });
    const history = await at(all, 1).chat.history(channel.id, { limit: 1_000 });
    expect(history.items.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => total - i));
  });

  it('24 concurrent claims over 10 tasks from 3 instances claim each task exactly once', async () => {
    const { all } = await instances(3);
    const first = at(all, 0);
    const created = [];
    for (let i = 0; i < 10; i++) {
      created.push(
        (await first.tasks.create({ title: `job ${i}`, agent: i % 2 ? 'bot' : undefined, createdBy: null })).task,
      );
    }
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => at(all, i).tasks.claim('bot', `worker-${i}`)),
    );
    const won = results.flatMap((r) => (r ? [r] : []));
    expect(won).toHaveLength(10);
    expect(new Set(won.map((r) => r.task.id))).toEqual(new Set(created.map((t) => t.id)));
    for (const { task } of won) {
      const stored = await at(all, 2).tasks.byId(task.id);
      expect(stored).toMatchObject({ status: 'in_progress', workerId: task.workerId, agent: 'bot' });
    }
    const events = await first.tasks.eventsAfter(0, 1_000);
    expect(events.map((e) => e.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await first.tasks.claim('bot', 'late')).toBeNull();
  });

  it('keeps the task stream gap-free under concurrent creates and updates from 3 instances', async () => {
    const { all } = await instances(3);
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) => at(all, i).tasks.create({ title: `t${i}`, agent: 'bot', createdBy: null })),
    );
    expect(created.map((c) => c.task.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Claims, progress and finishes racing on every instance.
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const stores = at(all, i);
        const claimed = await stores.tasks.claim('bot', `w${i}`);
        if (!claimed) throw new Error('nothing to claim');
        await at(all, i + 1).tasks.update(claimed.task.id, { progress: { current: 1 } }, 'run_update');
        await at(all, i + 2).tasks.update(claimed.task.id, { status: 'completed' }, 'run_complete');
      }),
    );
    const events = await at(all, 1).tasks.eventsAfter(0, 1_000);
    expect(events.map((e) => e.offset)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect((await at(all, 2).tasks.stats(Date.now())).counts).toMatchObject({ queued: 30, completed: 30 });
  });

  it('lets exactly one of many racing first sign-ups become admin', async () => {
    const { all } = await instances(4);
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        at(all, i).users.create({ handle: `user${i}`, displayName: `User ${i}`, passwordHash: 'h' }),
      ),
    );
    expect(created.filter((u) => u.role === 'admin')).toHaveLength(1);
    expect(created.filter((u) => u.role === 'member')).toHaveLength(11);
  });

  it('answers CONFLICT to all but one of racing sign-ups with one handle', async () => {
    const { all } = await instances(4);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        at(all, i).users.create({ handle: 'ada', displayName: `Ada ${i}`, passwordHash: `h${i}` }),
      ),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'AppError', code: 'CONFLICT' });
    }
    expect((await at(all, 1).users.byHandleWithSecret('ada'))?.id).toBe(won[0]?.id);
  });

  it('stores one message for racing retries with one clientId on 4 instances', async () => {
    const { all } = await instances(4);
    const first = at(all, 0);
    const ada = await first.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' });
    const general = await first.chat.channelBySlug('general');
    if (!general) throw new Error('no general');
    const retries = (authorId: string | null, clientId: string) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          at(all, i).chat.sendMessage({ channelId: general.id, authorId, content: `try ${i}`, clientId }),
        ),
      );
    for (const [authorId, clientId] of [
      [ada.id, 'c-1'],
      [null, 'sys-1'],
    ] as const) {
      const results = await retries(authorId, clientId);
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.filter((r) => r.event !== null)).toHaveLength(1);
    }
    // Two messages, two events, no offset lost to a losing retry.
    expect(await first.chat.streamInfo(general.id)).toMatchObject({ head: 2, oldestRetained: 1 });
    expect((await first.chat.eventsAfter(general.id, 0, 100)).map((e) => e.offset)).toEqual([1, 2]);
  });

  it('stays consistent (and deadlock-free) under mixed edits, deletes, joins and sends from 4 instances', async () => {
    const { all } = await instances(4);
    const first = at(all, 0);
    const people: User[] = [];
    for (let i = 0; i < 8; i++)
      people.push(await first.users.create({ handle: `p${i}`, displayName: `P${i}`, passwordHash: 'h' }));
    const owner = at(people, 0);
    const { channel } = await first.chat.createChannel({
      slug: 'mixed',
      name: 'Mixed',
      visibility: 'public',
      createdBy: owner.id,
    });
    const seeded = [];
    for (let i = 0; i < 20; i++) {
      seeded.push(
        (await first.chat.sendMessage({ channelId: channel.id, authorId: owner.id, content: `s${i}` })).message,
      );
    }
    const events: (StreamEvent | null)[] = [];
    const ops: Promise<unknown>[] = [];
    seeded.forEach((message, i) => {
      const chat = at(all, i).chat;
      if (i % 4 === 0) ops.push(chat.deleteMessage(message.id).then((e) => events.push(e.event)));
      else {
        ops.push(chat.editMessage(message.id, { content: `e${i}`, edited: true }).then((r) => events.push(r.event)));
        ops.push(
          at(all, i + 1)
            .chat.editMessage(message.id, { meta: { tokenCount: i } })
            .then((r) => events.push(r.event)),
        );
      }
    });
    people.slice(1).forEach((person, i) => {
      ops.push(
        at(all, i)
          .chat.join(channel.id, person.id)
          .then((e) => events.push(e)),
      );
      ops.push(
        at(all, i + 2)
          .chat.join(channel.id, person.id)
          .then((e) => events.push(e)),
      );
      ops.push(
        at(all, i + 1)
          .chat.sendMessage({ channelId: channel.id, authorId: person.id, content: `hi from ${person.handle}` })
          .then((r) => events.push(r.event)),
      );
    });
    await Promise.all(ops);

    const written = events.flatMap((e) => (e ? [e.offset] : []));
    const before = 1 + seeded.length;
    // 5 deletes + 15 × 2 edits + 7 joins (the second join of each person is a no-op) + 7 sends.
    expect(written).toHaveLength(5 + 30 + 7 + 7);
    expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: written.length }, (_, i) => before + i + 1));
    expect(events.filter((e) => e === null)).toHaveLength(7);
    const info = await first.chat.streamInfo(channel.id);
    expect(info.head).toBe(before + written.length);
    const stored = (await at(all, 3).chat.eventsAfter(channel.id, 0, 1_000)).map((e) => e.offset);
    expect(stored).toEqual([...stored].sort((a, b) => a - b));
    expect(new Set(stored).size).toBe(stored.length);
    // Both edits of a message landed: content from one, meta from the other.
    const edited = await first.chat.messageById(at(seeded, 1).id);
    expect(edited).toMatchObject({ content: 'e1', meta: { tokenCount: 1 } });
    expect(await first.chat.members(channel.id)).toHaveLength(8);
  });

  it('keeps the epoch, the data and the offsets across a restart', async () => {
    const url = databases.urlFor(await databases.blank());
    const before = await createPostgresStores(url);
    const epoch = before.chat.epoch();
    const ada = await before.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' });
    const { channel } = await before.chat.createChannel({
      slug: 'dev',
      name: 'Dev',
      visibility: 'public',
      createdBy: ada.id,
    });
    await before.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'persisted' });
    await before.close();
    await expect(before.close()).resolves.toBeUndefined();

    const after = await createPostgresStores(url);
    open.push(after);
    expect(after.chat.epoch()).toBe(epoch);
    expect(await after.users.byId(ada.id)).toEqual(ada);
    expect(await after.chat.streamInfo(channel.id)).toEqual({ epoch, head: 2, oldestRetained: 1 });
    expect(
      (await after.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'again' })).event?.offset,
    ).toBe(3);
    expect((await after.chat.listChannels(ada.id)).filter((c) => c.slug === 'general')).toHaveLength(1);
    expect((await after.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'h' })).role).toBe('member');
  });

  it('keeps JSON values and times exactly as written', async () => {
    const { all } = await instances(1);
    const stores = at(all, 0);
    for (const input of ['42', 'true', 'null', 7, 'plain text', { nested: ['a', 1, null, { deep: '0' }] }, [], '']) {
      const { task } = await stores.tasks.create({ title: 'json', input, createdBy: null });
      expect((await stores.tasks.byId(task.id))?.input).toEqual(input);
      expect((await stores.tasks.eventsAfter(task.seq - 1, 1))[0]?.change.task.input).toEqual(input);
    }
    const key = await stores.apiKeys.create({
      id: 'k'.repeat(32),
      name: 'bot',
      role: 'agent',
      prefix: 'hb_k',
      secretHash: 'x',
      createdBy: 'someone',
    });
    for (const when of ['1999-12-31T23:59:59.999Z', '2030-01-02T03:04:05.000Z']) {
      await stores.apiKeys.touch(key.id, when);
      expect((await stores.apiKeys.byIdWithSecret(key.id))?.lastUsedAt).toBe(when);
    }
  });

  it('rejects at start with the URL, without its password, when the server is unreachable', async () => {
    const error = await createPostgresStores('postgres://hubbub:s3cret-pw@127.0.0.1:1/hubbub', {
      connectTimeout: 2,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const { message } = error as Error;
    expect(message).toContain('postgres://hubbub:***@127.0.0.1:1/hubbub');
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain('s3cret-pw');
  });

  it('rejects at start with a clear message when the database does not exist', async () => {
    const url = databases.urlFor(`${databases.prefix}_missing`);
    await expect(createPostgresStores(url)).rejects.toThrow(
      /cannot use the PostgreSQL database at .*_missing.*does not exist/,
    );
  });

  it('maps a taken channel slug to CONFLICT even when two instances create it at once', async () => {
    const { all } = await instances(4);
    const results = await Promise.allSettled(
      all.map((stores) =>
        stores.chat.createChannel({ slug: 'dup', name: 'Dup', visibility: 'public', createdBy: null }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AppError);
  });
});
