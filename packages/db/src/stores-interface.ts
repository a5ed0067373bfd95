import type { StoreSet } from '@hubbub/core';

/** Every store a Hubbub server needs, on one database: what each dialect's `create…Stores` returns. */
export interface Stores extends StoreSet {
  /** Resolves when the database answers (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
