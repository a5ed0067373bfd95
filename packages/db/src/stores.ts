import type { ChatStore, UserStore } from '@hubbub/core';
import { type ChatStoreOptions, createSqliteChatStore } from './sqlite/chat-store';
import { openSqlite } from './sqlite/open';
import { createSqliteUserStore } from './sqlite/user-store';

export interface Stores {
  kind: 'sqlite' | 'postgres';
  users: UserStore;
  chat: ChatStore;
  close(): Promise<void>;
}

/** SQLite stores at `file` (":memory:" for tests), with the `general` channel in place. */
export async function createSqliteStores(file: string, options: ChatStoreOptions = {}): Promise<Stores> {
  const handle = openSqlite(file);
  const stores: Stores = {
    kind: 'sqlite',
    users: createSqliteUserStore(handle.db),
    chat: createSqliteChatStore(handle, options),
    close: async () => handle.close(),
  };
  if (!(await stores.chat.channelBySlug('general'))) {
    await stores.chat.createChannel({
      slug: 'general',
      name: 'General',
      topic: 'Everyone is here. Say hello!',
      visibility: 'public',
      createdBy: null,
    });
  }
  return stores;
}
