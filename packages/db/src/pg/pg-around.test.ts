import { afterAll, describe } from 'vitest';
import { createPostgresStores } from '../stores';
import { aroundStoreContract } from '../test/around-store-contract';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping the PostgreSQL paging contract: no server at ${probe.reason}`);

const databases = new TestDatabases();

describe.skipIf(!probe.reachable)('PostgreSQL stores', () => {
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);
  aroundStoreContract('Paging both ways in the ChatStore (PostgreSQL)', async () => {
    const database = await databases.fresh();
    const stores = await createPostgresStores(database.url, { poolSize: 4 });
    return { ...stores, close: () => stores.close().then(database.release) };
  });
});
