import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStores } from '../stores';
import { agentStoreContract } from '../test/agent-store-contract';
import { attachmentStoreContract } from '../test/attachment-store-contract';
import { chatStoreContract } from '../test/chat-store-contract';
import { peopleStoreContract } from '../test/people-store-contract';
import { reactionStoreContract } from '../test/reaction-store-contract';
import { searchStoreContract } from '../test/search-store-contract';
import type { StoresUnderTest } from '../test/stores-harness';
import { threadStoreContract } from '../test/thread-store-contract';
import { todoStoreContract } from '../test/todo-store-contract';
import { userStoreContract } from '../test/user-store-contract';
import { createSqliteChatStore } from './chat-store';
import { openSqlite } from './open';
import { createSqlitePeopleStore } from './people-store';
import { createSqliteUserStore } from './user-store';

/** A fresh directory per database; removed again on close. */
function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-db-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const memoryStores = () => createSqliteStores(':memory:');

async function fileStores() {
  const tmp = tempDir();
  const stores = await createSqliteStores(join(tmp.dir, 'nested', 'hubbub.db'));
  return {
    ...stores,
    close: async () => {
      await stores.close();
      tmp.remove();
    },
  };
}

/** Stores built from the parts, so the chat store gets its own retention. */
async function memoryStoresWithRetention(retention: number): Promise<StoresUnderTest> {
  const handle = openSqlite(':memory:');
  return {
    users: createSqliteUserStore(handle.db),
    chat: createSqliteChatStore(handle, { retention }),
    people: createSqlitePeopleStore(handle),
    close: async () => handle.close(),
  };
}

async function fileStoresWithRetention(retention: number): Promise<StoresUnderTest> {
  const tmp = tempDir();
  const handle = openSqlite(join(tmp.dir, 'hubbub.db'));
  return {
    users: createSqliteUserStore(handle.db),
    chat: createSqliteChatStore(handle, { retention }),
    people: createSqlitePeopleStore(handle),
    close: async () => {
      handle.close();
      tmp.remove();
    },
  };
}

describe('SQLite stores', () => {
  userStoreContract('UserStore contract (SQLite :memory:)', memoryStores);
  userStoreContract('UserStore contract (SQLite file)', fileStores);
  peopleStoreContract('PeopleStore contract (SQLite :memory:)', memoryStores);
  peopleStoreContract('PeopleStore contract (SQLite file)', fileStores);
  reactionStoreContract('Reactions of the ChatStore (SQLite :memory:)', memoryStores);
  attachmentStoreContract('AttachmentStore contract (SQLite :memory:)', memoryStores);
  attachmentStoreContract('AttachmentStore contract (SQLite file)', fileStores);
  agentStoreContract('AgentStore contract (SQLite :memory:)', memoryStores);
  reactionStoreContract('Reactions of the ChatStore (SQLite file)', fileStores);
  searchStoreContract('SearchStore contract (SQLite :memory:)', memoryStores);
  searchStoreContract('SearchStore contract (SQLite file)', fileStores);
  threadStoreContract('Threads of the ChatStore (SQLite :memory:)', memoryStores);
  threadStoreContract('Threads of the ChatStore (SQLite file)', fileStores);
  todoStoreContract('Todos of the ChatStore (SQLite :memory:)', memoryStores);
  todoStoreContract('Todos of the ChatStore (SQLite file)', fileStores);
  chatStoreContract('ChatStore contract (SQLite :memory:)', memoryStores, {
    makeStoresWithRetention: memoryStoresWithRetention,
  });
  chatStoreContract('ChatStore contract (SQLite file)', fileStores, {
    makeStoresWithRetention: fileStoresWithRetention,
  });
});

describe('SQLite file database across restarts', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  const newFile = () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    return join(tmp.dir, 'hubbub.db');
  };

  it('keeps the epoch, the data and the offsets when the same file is reopened', async () => {
    const file = newFile();
    const first = await createSqliteStores(file);
    const epoch = first.chat.epoch();
    const ada = await first.users.create({ handle: 'ada', displayName: 'Ada', passwordHash: 'h' });
    const { channel } = await first.chat.createChannel({
      slug: 'dev',
      name: 'Dev',
      visibility: 'public',
      createdBy: ada.id,
    });
    await first.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'persisted' });
    await first.close();

    const second = await createSqliteStores(file);
    try {
      expect(second.chat.epoch()).toBe(epoch);
      expect(await second.users.byId(ada.id)).toEqual(ada);
      expect(await second.chat.streamInfo(channel.id)).toEqual({ epoch, head: 2, oldestRetained: 1 });
      const next = await second.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'after restart' });
      expect(next.event?.offset).toBe(3);
      expect((await second.chat.history(channel.id, { limit: 10 })).items.map((m) => m.content)).toEqual([
        'after restart',
        'persisted',
      ]);
      // `general` is created once, not again on every start.
      expect((await second.chat.listChannels(ada.id)).filter((c) => c.slug === 'general')).toHaveLength(1);
      // The first user stays the only admin.
      expect((await second.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'h' })).role).toBe('member');
    } finally {
      await second.close();
    }
  });

  it('gives a new database file a new epoch', async () => {
    const a = await createSqliteStores(newFile());
    const b = await createSqliteStores(newFile());
    try {
      expect(a.chat.epoch()).not.toBe(b.chat.epoch());
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('close is safe to call twice', async () => {
    const stores = await createSqliteStores(newFile());
    await stores.close();
    await expect(stores.close()).resolves.toBeUndefined();
  });
});

describe('SQLite indexes', () => {
  it("keeps a thread's replies in the replies-only index, and the thread's reads use it", () => {
    const handle = openSqlite(':memory:');
    try {
      const plan = (query: string) =>
        (handle.raw.prepare(`explain query plan ${query}`).all('root') as { detail: string }[])
          .map((row) => row.detail)
          .join(' | ');
      expect(plan('select author_id, meta from messages where thread_id = ? order by seq desc limit 1')).toMatch(
        /USING INDEX messages_thread \(thread_id=\?\)/,
      );
      expect(plan('select count(*) from messages where thread_id = ?')).toMatch(/messages_thread \(thread_id=\?\)/);
      const index = handle.raw.prepare(`select sql from sqlite_schema where name = 'messages_thread'`).pluck().get();
      expect(index).toMatch(/where "messages"\."thread_id" is not null/i);
    } finally {
      handle.close();
    }
  });
});
