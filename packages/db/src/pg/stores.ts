import { AppError } from '@hubbub/core';
import type { ChatStoreOptions, PeopleStoreOptions, TaskStoreOptions } from '../store-options';
import type { Stores } from '../stores-interface';
import { createPgAgentStore } from './agent-store';
import { createPgApiKeyStore } from './api-key-store';
import { createPgAttachmentStore } from './attachment-store';
import { createPgBlobStore } from './blob-store';
import { createPgChatStore } from './chat-store';
import { createPgNotificationStore } from './notification-store';
import { openPostgres, type PgConnectOptions } from './open';
import { createPgPeopleStore } from './people-store';
import { createPgSearchStore } from './search';
import { createPgSessionStore } from './session-store';
import { createPgTaskStore } from './task-store';
import { createPgUserStore } from './user-store';

export interface PostgresStoresOptions extends PgConnectOptions {
  chat?: ChatStoreOptions;
  tasks?: TaskStoreOptions;
  people?: PeopleStoreOptions;
}

/**
 * PostgreSQL stores at `url` (`postgres://user:password@host:5432/db`), for
 * running several instances on one database. Applies the committed migrations
 * and makes sure the `general` channel exists; both are safe when several
 * instances start at once. Rejects, naming the URL without its password, when
 * the database cannot be reached.
 */
export async function createPostgresStores(url: string, options: PostgresStoresOptions = {}): Promise<Stores> {
  const handle = await openPostgres(url, options);
  const stores: Stores = {
    kind: 'postgres',
    users: createPgUserStore(handle.db),
    chat: createPgChatStore(handle, options.chat),
    people: createPgPeopleStore(handle, options.people),
    tasks: createPgTaskStore(handle, options.tasks),
    apiKeys: createPgApiKeyStore(handle.db),
    sessions: createPgSessionStore(handle.db),
    notifications: createPgNotificationStore(handle),
    attachments: createPgAttachmentStore(handle.db),
    blobs: createPgBlobStore(handle.db),
    search: createPgSearchStore(handle),
    agents: createPgAgentStore(handle.db),
    ping: async () => {
      await handle.client`select 1`;
    },
    close: handle.close,
  };
  try {
    if (!(await stores.chat.channelBySlug('general'))) {
      await stores.chat
        .createChannel({
          slug: 'general',
          name: 'General',
          topic: 'Everyone is here. Say hello!',
          visibility: 'public',
          createdBy: null,
        })
        // Another instance made it in the meantime.
        .catch((error: unknown) => {
          if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
        });
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  return stores;
}
