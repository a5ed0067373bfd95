export { type ChatStoreOptions, createSqliteChatStore } from './sqlite/chat-store';
export { openSqlite, type SqliteHandle } from './sqlite/open';
export { createSqliteUserStore } from './sqlite/user-store';
export { createSqliteStores, type Stores } from './stores';
