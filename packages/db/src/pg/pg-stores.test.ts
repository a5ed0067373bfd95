import { afterAll, describe } from 'vitest';
import { createPostgresStores, type Stores } from '../stores';
import { agentStoreContract } from '../test/agent-store-contract';
import { apiKeyStoreContract } from '../test/api-key-store-contract';
import { attachmentStoreContract } from '../test/attachment-store-contract';
import { blobStoreContract } from '../test/blob-store-contract';
import { chatStoreContract } from '../test/chat-store-contract';
import { peopleStoreContract } from '../test/people-store-contract';
import { reactionStoreContract } from '../test/reaction-store-contract';
import { searchStoreContract } from '../test/search-store-contract';
import { sessionStoreContract } from '../test/session-store-contract';
import { type TaskStoreLimits, taskStoreContract } from '../test/task-store-contract';
import { threadStoreContract } from '../test/thread-store-contract';
import { todoStoreContract } from '../test/todo-store-contract';
import { userStoreContract } from '../test/user-store-contract';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL store contracts: no server at ${probe.reason}`);

const databases = new TestDatabases();

/** Fresh stores on a migrated, empty database of their own; the database is emptied again on close. */
async function freshStores(options: { tasks?: TaskStoreLimits; chat?: { retention: number } } = {}): Promise<Stores> {
  const database = await databases.fresh();
  const stores = await createPostgresStores(database.url, { poolSize: 4, ...options });
  let closed: Promise<void> | undefined;
  return {
    ...stores,
    close: () => {
      closed ??= stores.close().then(database.release);
      return closed;
    },
  };
}

describe.skipIf(!probe.reachable)('PostgreSQL stores', () => {
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  userStoreContract('UserStore contract (PostgreSQL)', () => freshStores());
  peopleStoreContract('PeopleStore contract (PostgreSQL)', () => freshStores());
  reactionStoreContract('Reactions of the ChatStore (PostgreSQL)', () => freshStores());
  attachmentStoreContract('AttachmentStore contract (PostgreSQL)', () => freshStores());
  blobStoreContract('BlobStore contract (PostgreSQL bytea)', () => freshStores());
  searchStoreContract('SearchStore contract (PostgreSQL)', () => freshStores());
  threadStoreContract('Threads of the ChatStore (PostgreSQL)', () => freshStores());
  todoStoreContract('Todos of the ChatStore (PostgreSQL)', () => freshStores());
  agentStoreContract('AgentStore contract (PostgreSQL)', () => freshStores());
  chatStoreContract('ChatStore contract (PostgreSQL)', () => freshStores(), {
    makeStoresWithRetention: (retention) => freshStores({ chat: { retention } }),
  });
  taskStoreContract('TaskStore contract (PostgreSQL)', (limits) => freshStores({ tasks: limits }));
  apiKeyStoreContract('ApiKeyStore contract (PostgreSQL)', () => freshStores());
  sessionStoreContract('SessionStore contract (PostgreSQL)', () => freshStores());
});
