import { type ApiKey, type ApiKeyStore, AppError, notFound } from '@hubbub/core';
import { desc, eq } from 'drizzle-orm';
import { newId } from '../ids';
import { asValue, toApiKey as rowToApiKey, toApiKeyWithSecret } from '../rows';
import type { PgDb } from './open';
import { apiKeys, users } from './schema';
import { noUserYet } from './user-store';

type Row = typeof apiKeys.$inferSelect;
const toApiKey = (row: Row): ApiKey => rowToApiKey(row, asValue);

export function createPgApiKeyStore(db: PgDb): ApiKeyStore {
  return {
    async create(input) {
      return db.transaction(async (tx) => {
        const taken = () => new AppError('CONFLICT', `the name "${input.name}" is taken`);
        // Takes part in the first-user lock, so "the first user is admin" means the same as on SQLite.
        await noUserYet(tx);
        const at = new Date().toISOString();
        const userId = newId();
        // The key's identity; '!' is no scrypt hash, so nobody can log in as it with a password.
        const [user] = await tx
          .insert(users)
          .values({
            id: userId,
            handle: input.name,
            displayName: input.name,
            role: input.role,
            passwordHash: '!',
            createdAt: at,
          })
          .onConflictDoNothing({ target: users.handle })
          .returning({ id: users.id });
        if (!user) throw taken();
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
          agents: input.agents ? [...input.agents] : null,
        };
        // Any clash (the name, or the id) rolls the user back with the key.
        const [inserted] = await tx.insert(apiKeys).values(row).onConflictDoNothing().returning();
        if (!inserted) throw taken();
        return toApiKey(inserted);
      });
    },
    async byIdWithSecret(id) {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row ? toApiKeyWithSecret(row, asValue) : null;
    },
    async list() {
      return (await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))).map(toApiKey);
    },
    async revoke(id) {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: new Date().toISOString() })
        .where(eq(apiKeys.id, id))
        .returning();
      if (!row) throw notFound('API key');
      return toApiKey(row);
    },
    async touch(id, at) {
      await db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
    },
  };
}
