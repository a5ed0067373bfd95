export { redactUrl as redactPostgresUrl } from './pg/open';
export { createSqliteApiKeyStore } from './sqlite/api-key-store';
export { type ChatStoreOptions, createSqliteChatStore } from './sqlite/chat-store';
export { openSqlite, type SqliteHandle } from './sqlite/open';
export { createSqliteTaskStore, type TaskStoreOptions } from './sqlite/task-store';
export { createSqliteUserStore } from './sqlite/user-store';
export { createPostgresStores, createSqliteStores, type PostgresStoresOptions, type Stores } from './stores';
