import { AppError, type User, type UserStore, type UserWithSecret } from '@hubbub/core';
import { asc, eq, getTableColumns, inArray, like, ne, or, sql } from 'drizzle-orm';
import { newId } from '../ids';
import { likePrefix } from '../paging';
import { lockFor, type PgDb, type PgTx } from './open';
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

/** Serializes the creation of the first user across instances (ASCII "admin"). */
const FIRST_USER_LOCK = 0x61_646d_696en;

/**
 * True when no user exists yet. An empty table is checked again under an
 * advisory lock held until commit, so two first sign-ups on two instances
 * cannot both see an empty table; once a user exists nobody waits.
 */
export async function noUserYet(tx: PgTx): Promise<boolean> {
  // Agents (the built-in @assistant is made at start) are nobody's first sign-up.
  const someone = async () =>
    (await tx.select({ id: users.id }).from(users).where(ne(users.role, 'agent')).limit(1)).length > 0;
  if (await someone()) return false;
  await lockFor(tx, FIRST_USER_LOCK);
  // READ COMMITTED: this statement sees whatever the previous lock holder committed.
  return !(await someone());
}

export function createPgUserStore(db: PgDb): UserStore {
  return {
    async create({ handle, displayName, passwordHash }) {
      return db.transaction(async (tx) => {
        const first = await noUserYet(tx);
        const row: UserRow = {
          id: newId(),
          handle,
          displayName,
          passwordHash,
          role: first ? 'admin' : 'member',
          createdAt: new Date().toISOString(),
        };
        // A concurrent sign-up with the same handle waits here for the other transaction, then skips.
        const [inserted] = await tx.insert(users).values(row).onConflictDoNothing({ target: users.handle }).returning();
        if (!inserted) throw new AppError('CONFLICT', `the handle "${handle}" is taken`);
        return toUser(inserted);
      });
    },
    async byId(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row ? toUser(row) : null;
    },
    async byHandleWithSecret(handle): Promise<UserWithSecret | null> {
      const [row] = await db.select().from(users).where(eq(users.handle, handle));
      return row ? { ...toUser(row), passwordHash: row.passwordHash } : null;
    },
    async byHandles(handles) {
      if (handles.length === 0) return [];
      return (await db.select().from(users).where(inArray(users.handle, handles))).map(toUser);
    },
    async search(query, limit) {
      const prefix = likePrefix(query);
      const rows = await db
        .select()
        .from(users)
        .where(or(like(users.handle, prefix), like(sql`lower(${users.displayName})`, prefix)))
        .orderBy(asc(users.handle))
        .limit(limit);
      return rows.map(toUser);
    },
    async admins() {
      return (await db.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.handle))).map(toUser);
    },
  };
}
