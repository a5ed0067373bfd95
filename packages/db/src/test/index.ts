/** Test helpers other packages use: fresh PostgreSQL databases per run, bulk loads for benchmarks. */
export { ADMIN_URL, probePostgres, type TestDatabase, TestDatabases } from '../pg/test-databases';
export { type BulkData, type BulkMessage, bulkLoadPostgres, bulkLoadSqlite } from './bulk-load';
