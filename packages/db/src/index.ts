export { type ChatStoreOptions, createSqliteChatStore } from './sqlite/chat-store';
export { openSqlite, type SqliteHandle } from './sqlite/open';
export { createSqliteUserStore } from './sqlite/user-store';
export { createSqliteStores, type Stores } from './stores';
export { createSqliteApiKeyStore } from './sqlite/api-key-store';
export { createSqliteTaskStore, type TaskStoreOptions } from './sqlite/task-store';
