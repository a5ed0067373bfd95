import { afterAll, describe } from 'vitest';
import { createPostgresStores, type Stores } from '../stores';
import { notificationStoreContract } from '../test/notification-store-contract';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL notification store: no server at ${probe.reason}`);

const databases = new TestDatabases();

/** Fresh stores on a migrated, empty database of their own; the database is emptied again on close. */
async function freshStores(): Promise<Stores> {
  const database = await databases.fresh();
  const stores = await createPostgresStores(database.url, { poolSize: 4 });
  return { ...stores, close: () => stores.close().then(database.release) };
}

/** Two instances of a cluster starting at once on one database. */
async function twoInstances(): Promise<[Stores, Stores]> {
  const database = await databases.fresh();
  const [one, two] = await Promise.all([
    createPostgresStores(database.url, { poolSize: 2 }),
    createPostgresStores(database.url, { poolSize: 2 }),
  ]);
  return [one, { ...two, close: () => two.close().then(database.release) }];
}

describe.skipIf(!probe.reachable)('PostgreSQL notification store', () => {
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);
  notificationStoreContract('NotificationStore contract (PostgreSQL)', freshStores, {
    makeTwoInstances: twoInstances,
  });
});
