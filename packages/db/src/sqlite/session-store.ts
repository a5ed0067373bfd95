import type { Session, SessionStore } from '@hubbub/core';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { SqliteDb } from './open';
import { sessions, users } from './schema';
import { userColumns } from './user-store';

type Row = typeof sessions.$inferSelect;
const toSession = ({ secretHash: _, ...session }: Row): Session => session;

export function createSqliteSessionStore(db: SqliteDb): SessionStore {
  // Every sign-in reads its session (a reconnect storm: thousands at once): prepared once, not per call.
  const byId = db
    .select()
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  const withUser = db
    .select({ session: sessions, user: userColumns })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  return {
    async create(input) {
      const row: Row = { ...input, createdAt: new Date().toISOString(), revokedAt: null };
      db.insert(sessions).values(row).run();
      return toSession(row);
    },
    async byIdWithSecret(id) {
      return byId.get({ id }) ?? null;
    },
    async withUser(id) {
      return withUser.get({ id }) ?? null;
    },
    async revoke(id, at) {
      db.update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
        .run();
      const row = byId.get({ id });
      return row ? toSession(row) : null;
    },
    async revokeAllOf(userId, at) {
      return db
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id })
        .all()
        .map((r) => r.id);
    },
    async prune(before) {
      return db
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
        .run().changes;
    },
  };
}
