import type { BlobStore } from '@hubbub/core';
import { eq, inArray } from 'drizzle-orm';
import { isoNow } from '../time';
import type { PgDb } from './open';
import { blobs } from './schema';

/** Blobs in PostgreSQL (bytea), so every instance of a cluster serves every file. */
export function createPgBlobStore(db: PgDb): BlobStore {
  return {
    async put(key, data) {
      await db
        .insert(blobs)
        .values({ key, data, createdAt: isoNow() })
        .onConflictDoUpdate({ target: blobs.key, set: { data, createdAt: isoNow() } });
    },
    async get(key) {
      const [row] = await db.select({ data: blobs.data }).from(blobs).where(eq(blobs.key, key));
      return row?.data ?? null;
    },
    async delete(keys) {
      if (keys.length > 0) await db.delete(blobs).where(inArray(blobs.key, [...keys]));
    },
  };
}
