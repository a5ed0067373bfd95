import { AppError, type User, type UserStore, type UserWithSecret } from '@hubbub/core';
import { asc, count, eq, getTableColumns, inArray, like, ne, or, sql } from 'drizzle-orm';
import { newId } from '../ids';
import { likePrefix } from '../paging';
import { inlineLimit } from './inline-limit';
import type { SqliteDb } from './open';
import { users } from './schema';

type UserRow = Omit<typeof users.$inferSelect, 'lastEventOffset'>;

const toUser = (row: UserRow): User => ({
  id: row.id,
  handle: row.handle,
  displayName: row.displayName,
  role: row.role,
  createdAt: row.createdAt,
});

const { passwordHash: _hash, lastEventOffset: _offset, ...publicColumns } = getTableColumns(users);
/** A user's columns as the API sees them (no password hash), for reads that join the users table. */
export const userColumns = publicColumns;

export function createSqliteUserStore(db: SqliteDb): UserStore {
  // Every sign-in reads its user (a reconnect storm: thousands at once): prepared once, not per call.
  const byId = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const byHandle = db
    .select()
    .from(users)
    .where(eq(users.handle, sql.placeholder('handle')))
    .prepare();
  return {
    async create({ handle, displayName, passwordHash }) {
      return db.transaction((tx) => {
        if (tx.select({ id: users.id }).from(users).where(eq(users.handle, handle)).get()) {
          throw new AppError('CONFLICT', `the handle "${handle}" is taken`);
        }
        // Agents (the built-in @assistant is made at start) are nobody's first sign-up.
        const first = (tx.select({ n: count() }).from(users).where(ne(users.role, 'agent')).get()?.n ?? 0) === 0;
        const row: UserRow = {
          id: newId(),
          handle,
          displayName,
          passwordHash,
          role: first ? 'admin' : 'member',
          createdAt: new Date().toISOString(),
        };
        tx.insert(users).values(row).run();
        return toUser(row);
      });
    },
    async byId(id) {
      const row = byId.get({ id });
      return row ? toUser(row) : null;
    },
    async byHandleWithSecret(handle): Promise<UserWithSecret | null> {
      const row = byHandle.get({ handle });
      return row ? { ...toUser(row), passwordHash: row.passwordHash } : null;
    },
    async byHandles(handles) {
      if (handles.length === 0) return [];
      return db.select().from(users).where(inArray(users.handle, handles)).all().map(toUser);
    },
    async search(query, limit) {
      const prefix = likePrefix(query);
      return db
        .select()
        .from(users)
        .where(or(like(users.handle, prefix), like(sql`lower(${users.displayName})`, prefix)))
        .orderBy(asc(users.handle))
        .limit(inlineLimit(limit))
        .all()
        .map(toUser);
    },
    async admins() {
      return db.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.handle)).all().map(toUser);
    },
  };
}
