import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSearchQuery } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeUser } from '../test/stores-harness';
import { createSqliteChatStore } from './chat-store';
import { openSqlite, type SqliteHandle } from './open';
import { createSqliteSearchStore } from './search';
import { SEARCH_BATCH } from './search-backlog';
import { createSqliteUserStore } from './user-store';

/** The search backlog (migration 0008): sends wait for FTS5, which takes them in batches and before every search. */
describe('the SQLite search backlog', () => {
  let handle: SqliteHandle;
  let stores: ReturnType<typeof storesOf>;
  const storesOf = (h: SqliteHandle) => ({
    users: createSqliteUserStore(h.db),
    chat: createSqliteChatStore(h),
    search: createSqliteSearchStore(h),
  });
  beforeEach(() => {
    handle = openSqlite(':memory:');
    stores = storesOf(handle);
  });
  afterEach(() => handle.close());

  const waiting = () => handle.raw.prepare('select count(*) from messages_fts_pending').pluck().get();
  /** What FTS5 itself holds for a word, asked without the search store (which would index the backlog first). */
  const indexed = (word: string) =>
    handle.raw.prepare('select count(*) from messages_fts where messages_fts match ?').pluck().get(word);
  /** FTS5's own check that the index holds exactly the messages' text (throws if not). */
  const assertIndexMatchesMessages = () =>
    handle.raw.exec(`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`);

  /** A person and a public channel in `on` (the stores of this test's database unless given). */
  const setup = async (on = stores) => {
    const ada = await makeUser(on.users);
    const { channel } = await on.chat.createChannel({
      slug: 'backlog',
      name: 'Backlog',
      visibility: 'public',
      createdBy: ada.id,
    });
    const send = async (content: string) =>
      (await on.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content })).message;
    const search = async (text: string) =>
      (await on.search.search({ readerId: ada.id, query: parseSearchQuery(text), limit: 20 })).hits.map(
        (hit) => hit.message.content,
      );
    return { ada, send, search };
  };

  it('keeps a send out of FTS5 until a search, which indexes the backlog first and finds it', async () => {
    const { send, search } = await setup();
    await send('the otter swims');
    expect(waiting()).toBe(1);
    expect(indexed('otter')).toBe(0);
    expect(assertIndexMatchesMessages).toThrow(/malformed/);
    expect(await search('otter')).toEqual(['the otter swims']);
    expect(waiting()).toBe(0);
    expect(indexed('otter')).toBe(1);
    assertIndexMatchesMessages();
  });

  it(`indexes the backlog every ${SEARCH_BATCH} sends, after their acknowledgements`, async () => {
    const { send } = await setup();
    for (let i = 0; i < SEARCH_BATCH - 1; i++) await send(`heron ${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(waiting()).toBe(SEARCH_BATCH - 1);
    await send('heron last');
    expect(waiting()).toBe(SEARCH_BATCH);
    await new Promise((resolve) => setImmediate(resolve));
    expect(waiting()).toBe(0);
    expect(indexed('heron')).toBe(SEARCH_BATCH);
    assertIndexMatchesMessages();
  });

  it('follows edits and deletes of messages still waiting and of messages already indexed', async () => {
    const { send, search } = await setup();
    const early = await send('walrus on the ice');
    await search('walrus');
    const late = await send('walrus in the water');
    expect(waiting()).toBe(1);

    await stores.chat.editMessage(early.id, { content: 'seal on the ice', edited: true });
    await stores.chat.editMessage(late.id, { content: 'seal in the water', edited: true });
    expect(await search('walrus')).toEqual([]);
    expect((await search('seal')).sort()).toEqual(['seal in the water', 'seal on the ice']);
    assertIndexMatchesMessages();

    const waitingOne = await send('puffin nests');
    await stores.chat.deleteMessage(waitingOne.id);
    await stores.chat.deleteMessage(early.id);
    expect(waiting()).toBe(0);
    expect(await search('puffin')).toEqual([]);
    expect(await search('seal')).toEqual(['seal in the water']);
    assertIndexMatchesMessages();
  });

  it('indexes a message whose rowid a deleted, indexed one had', async () => {
    const { send, search } = await setup();
    await send('first word');
    const newest = await send('gannet dives');
    await search('gannet');
    const rowidOf = (id: string) => handle.raw.prepare('select rowid from messages where id = ?').pluck().get(id);
    const freed = rowidOf(newest.id);
    await stores.chat.deleteMessage(newest.id);
    const next = await send('cormorant dries');
    expect(rowidOf(next.id)).toBe(freed);
    expect(await search('cormorant')).toEqual(['cormorant dries']);
    expect(await search('gannet')).toEqual([]);
    assertIndexMatchesMessages();
  });

  it('keeps the backlog across a restart: a message waiting when the server stopped is found after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubbub-backlog-'));
    try {
      const file = join(dir, 'hubbub.db');
      const before = openSqlite(file);
      const { ada, send } = await setup(storesOf(before));
      await send('kittiwake calls');
      before.close();

      const after = openSqlite(file);
      try {
        expect(after.raw.prepare('select count(*) from messages_fts_pending').pluck().get()).toBe(1);
        const page = await storesOf(after).search.search({
          readerId: ada.id,
          query: parseSearchQuery('kittiwake'),
          limit: 20,
        });
        expect(page.hits.map((hit) => hit.message.content)).toEqual(['kittiwake calls']);
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
