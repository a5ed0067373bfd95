import { createSqliteStores } from '../stores';
import { aroundStoreContract } from '../test/around-store-contract';

aroundStoreContract('Paging both ways in the ChatStore (SQLite :memory:)', () => createSqliteStores(':memory:'));
