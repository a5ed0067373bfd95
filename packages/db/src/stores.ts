import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDirBlobStore } from './blob-store-dir';
import { createSqliteAgentStore } from './sqlite/agent-store';
import { createSqliteApiKeyStore } from './sqlite/api-key-store';
import { createSqliteAttachmentStore } from './sqlite/attachment-store';
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
  options: {
    chat?: ChatStoreOptions;
    people?: PeopleStoreOptions;
    tasks?: TaskStoreOptions;
    /** Where attachments' bytes go; default `files/` beside the database (a temporary one in memory, removed on close). */
    blobDir?: string;
  } = {},
): Promise<Stores> {
  const handle = openSqlite(file);
  const blobDir = options.blobDir ?? (file === ':memory:' ? mkdtempSync(join(tmpdir(), 'hubbub-files-')) : null);
  const removeTempBlobs = () => {
    if (blobDir && !options.blobDir) rmSync(blobDir, { recursive: true, force: true });
  };
  const stores: Stores = {
    kind: 'sqlite',
    users: createSqliteUserStore(handle.db),
    chat: createSqliteChatStore(handle, options.chat),
    people: createSqlitePeopleStore(handle, options.people),
    tasks: createSqliteTaskStore(handle, options.tasks),
    apiKeys: createSqliteApiKeyStore(handle.db),
    sessions: createSqliteSessionStore(handle.db),
    notifications: createSqliteNotificationStore(handle.db),
    attachments: createSqliteAttachmentStore(handle.db),
    blobs: createDirBlobStore(blobDir ?? join(dirname(file), 'files')),
    search: createSqliteSearchStore(handle),
    agents: createSqliteAgentStore(handle.db),
    ping: async () => {
      handle.raw.prepare('select 1').get();
    },
    close: async () => {
      handle.close();
      removeTempBlobs();
    },
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
