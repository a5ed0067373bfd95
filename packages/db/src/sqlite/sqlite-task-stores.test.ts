import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createSqliteStores, type Stores } from '../stores';
import { apiKeyStoreContract } from '../test/api-key-store-contract';
import { sessionStoreContract } from '../test/session-store-contract';
import { type TaskStoreLimits, taskStoreContract } from '../test/task-store-contract';

const memoryStores = (limits: TaskStoreLimits = {}): Promise<Stores> =>
  createSqliteStores(':memory:', { tasks: limits });

/** A fresh database file in its own temporary directory, removed again on close. */
async function fileStores(limits: TaskStoreLimits = {}): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-tasks-'));
  const stores = await createSqliteStores(join(dir, 'hubbub.db'), { tasks: limits });
  return {
    ...stores,
    close: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('SQLite task, API-key and session stores', () => {
  taskStoreContract('TaskStore contract (SQLite :memory:)', memoryStores);
  taskStoreContract('TaskStore contract (SQLite file)', fileStores);
  apiKeyStoreContract('ApiKeyStore contract (SQLite :memory:)', () => memoryStores());
  apiKeyStoreContract('ApiKeyStore contract (SQLite file)', () => fileStores());
  sessionStoreContract('SessionStore contract (SQLite :memory:)', () => memoryStores());
  sessionStoreContract('SessionStore contract (SQLite file)', () => fileStores());
});
