/** Test helpers other packages use: fresh PostgreSQL databases per run. */
export { ADMIN_URL, probePostgres, type TestDatabase, TestDatabases } from '../pg/test-databases';
