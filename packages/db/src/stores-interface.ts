import type { ApiKeyStore, ChatStore, SessionStore, TaskStore, UserStore } from '@hubbub/core';

/** Every store a Hubbub server needs, on one database: what each dialect's `create…Stores` returns. */
export interface Stores {
  kind: 'sqlite' | 'postgres';
  users: UserStore;
  chat: ChatStore;
  tasks: TaskStore;
  apiKeys: ApiKeyStore;
  sessions: SessionStore;
  /** Resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
