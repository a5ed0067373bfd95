import { createSqliteAgentStore } from './sqlite/agent-store';
import { createSqliteApiKeyStore } from './sqlite/api-key-store';
import { createSqliteChatStore } from './sqlite/chat-store';
import { createSqliteNotificationStore } from './sqlite/notification-store';
import { openSqlite } from './sqlite/open';
import { createSqlitePeopleStore } from './sqlite/people-store';
import { createSqliteSearchStore } from './sqlite/search';
import { createSqliteSessionStore } from './sqlite/session-store';
import { createSqliteTaskStore } from './sqlite/task-store';
import { createSqliteUserStore } from './sqlite/user-store';
import type { ChatStoreOptions, PeopleStoreOptions, TaskStoreOptions } from './store-options';
import type { Stores } from './stores-interface';

export type { Stores } from './stores-interface';

/** SQLite stores at `file` (":memory:" for tests), with the `general` channel in place. */
export async function createSqliteStores(
  file: string,
  options: { chat?: ChatStoreOptions; people?: PeopleStoreOptions; tasks?: TaskStoreOptions } = {},
): Promise<Stores> {
  const handle = openSqlite(file);
  const stores: Stores = {
    kind: 'sqlite',
    users: createSqliteUserStore(handle.db),
    chat: createSqliteChatStore(handle, options.chat),
    people: createSqlitePeopleStore(handle, options.people),
    tasks: createSqliteTaskStore(handle, options.tasks),
    apiKeys: createSqliteApiKeyStore(handle.db),
    sessions: createSqliteSessionStore(handle.db),
    notifications: createSqliteNotificationStore(handle.db),
    search: createSqliteSearchStore(handle),
    agents: createSqliteAgentStore(handle.db),
    ping: async () => {
      handle.raw.prepare('select 1').get();
    },
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

export { createPostgresStores, type PostgresStoresOptions } from './pg/stores';
