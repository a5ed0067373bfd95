import { type ApiKey, type ApiKeyStore, AppError, notFound } from '@hubbub/core';
import { desc, eq, sql } from 'drizzle-orm';
import { newId } from '../ids';
import { parseText, toApiKey as rowToApiKey, toApiKeyWithSecret } from '../rows';
import type { SqliteDb } from './open';
import { apiKeys, users } from './schema';

type Row = typeof apiKeys.$inferSelect;
const toApiKey = (row: Row): ApiKey => rowToApiKey(row, parseText);

export function createSqliteApiKeyStore(db: SqliteDb): ApiKeyStore {
  // A key's sign-in and every call it makes read it again (revocation): prepared once, not per call.
  const ph = sql.placeholder;
  const byId = db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.id, ph('id')))
    .prepare();
  const touch = db
    .update(apiKeys)
    .set({ lastUsedAt: sql`${ph('at')}` })
    .where(eq(apiKeys.id, ph('id')))
    .prepare();
  return {
    async create(input) {
      return db.transaction((tx) => {
        const taken =
          tx.select({ id: users.id }).from(users).where(eq(users.handle, input.name)).get() ??
          tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, input.name)).get();
        if (taken) throw new AppError('CONFLICT', `the name "${input.name}" is taken`);
        const at = new Date().toISOString();
        const userId = newId();
        // The key's identity; '!' is no scrypt hash, so nobody can log in as it with a password.
        tx.insert(users)
          .values({
            id: userId,
            handle: input.name,
            displayName: input.name,
            role: input.role,
            passwordHash: '!',
            createdAt: at,
          })
          .run();
        const row: Row = {
          id: input.id,
          name: input.name,
          role: input.role,
          prefix: input.prefix,
          secretHash: input.secretHash,
          userId,
          createdBy: input.createdBy,
          createdAt: at,
          lastUsedAt: null,
          revokedAt: null,
          agents: input.agents ? JSON.stringify(input.agents) : null,
        };
        tx.insert(apiKeys).values(row).run();
        return toApiKey(row);
      });
    },
    async byIdWithSecret(id) {
      const row = byId.get({ id });
      return row ? toApiKeyWithSecret(row, parseText) : null;
    },
    async list() {
      return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt)).all().map(toApiKey);
    },
    async revoke(id) {
      const row = db
        .update(apiKeys)
        .set({ revokedAt: new Date().toISOString() })
        .where(eq(apiKeys.id, id))
        .returning()
        .get();
      if (!row) throw notFound('API key');
      return toApiKey(row);
    },
    async touch(id, at) {
      touch.run({ id, at });
    },
  };
}
