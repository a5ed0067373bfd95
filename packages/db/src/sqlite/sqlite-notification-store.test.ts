import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createSqliteStores, type Stores } from '../stores';
import { notificationStoreContract } from '../test/notification-store-contract';

/** A fresh database file in its own temporary directory, removed again on close. */
async function fileStores(): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-notifications-'));
  const stores = await createSqliteStores(join(dir, 'hubbub.db'));
  return {
    ...stores,
    close: async () => {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Two handles on one file, as two processes started on the same data dir would have. */
async function twoOnOneFile(): Promise<[Stores, Stores]> {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-notifications-'));
  const file = join(dir, 'hubbub.db');
  const one = await createSqliteStores(file);
  const two = await createSqliteStores(file);
  return [
    one,
    {
      ...two,
      close: async () => {
        await two.close();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  ];
}

describe('SQLite notification store', () => {
  notificationStoreContract('NotificationStore contract (SQLite :memory:)', () => createSqliteStores(':memory:'));
  notificationStoreContract('NotificationStore contract (SQLite file)', fileStores, {
    makeTwoInstances: twoOnOneFile,
  });
});
