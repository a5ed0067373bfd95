import type { Session, SessionStore } from '@hubbub/core';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { PgDb } from './open';
import { sessions, users } from './schema';
import { userColumns } from './user-store';

type Row = typeof sessions.$inferSelect;
const toSession = ({ secretHash: _, ...session }: Row): Session => session;

export function createPgSessionStore(db: PgDb): SessionStore {
  return {
    async create(input) {
      const [row] = await db
        .insert(sessions)
        .values({ ...input, createdAt: new Date().toISOString(), revokedAt: null })
        .returning();
      if (!row) throw new Error('the session was not stored');
      return toSession(row);
    },
    async byIdWithSecret(id) {
      const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
      return row ?? null;
    },
    async withUser(id) {
      const [row] = await db
        .select({ session: sessions, user: userColumns })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, id));
      return row ?? null;
    },
    async revoke(id, at) {
      await db
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)));
      const [row] = await db.select().from(sessions).where(eq(sessions.id, id));
      return row ? toSession(row) : null;
    },
    async revokeAllOf(userId, at) {
      const rows = await db
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },
    async prune(before) {
      const rows = await db
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
        .returning({ id: sessions.id });
      return rows.length;
    },
  };
}
