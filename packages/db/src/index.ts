export { redactUrl as redactPostgresUrl } from './pg/open';
export { createSqliteApiKeyStore } from './sqlite/api-key-store';
export { createSqliteChatStore } from './sqlite/chat-store';
export { createSqliteNotificationStore } from './sqlite/notification-store';
export { openSqlite, type SqliteHandle } from './sqlite/open';
export { createSqliteTaskStore } from './sqlite/task-store';
export { createSqliteUserStore } from './sqlite/user-store';
export type { ChatStoreOptions, TaskStoreOptions } from './store-options';
export { createPostgresStores, createSqliteStores, type PostgresStoresOptions, type Stores } from './stores';
