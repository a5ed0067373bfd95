import { type Agent, type AgentStore, notFound } from '@hubbub/core';
import { asc, eq, inArray } from 'drizzle-orm';
import { type AgentJoinRow, NO_PASSWORD, toAgent, upsertPlan } from '../agent-rows';
import { newId } from '../ids';
import { asValue } from '../rows';
import type { PgDb, PgTx } from './open';
import { agents, apiKeys, users } from './schema';

const columns = {
  userId: agents.userId,
  handle: users.handle,
  name: users.displayName,
  instructions: agents.instructions,
  model: agents.model,
  tools: agents.tools,
  approval: agents.approval,
  avatar: agents.avatar,
  createdBy: agents.createdBy,
  updatedAt: agents.updatedAt,
};

const fromRow = (row: AgentJoinRow): Agent => toAgent(row, asValue);

export function createPgAgentStore(db: PgDb): AgentStore {
  const joined = (tx: PgDb | PgTx) => tx.select(columns).from(agents).innerJoin(users, eq(users.id, agents.userId));
  const byHandleIn = async (tx: PgDb | PgTx, handle: string) => {
    const [row] = await joined(tx).where(eq(users.handle, handle));
    return row ? fromRow(row) : null;
  };

  return {
    async list() {
      return (await joined(db).orderBy(asc(users.handle))).map(fromRow);
    },
    async byHandle(handle) {
      return byHandleIn(db, handle);
    },
    async byUserIds(userIds) {
      if (userIds.length === 0) return [];
      const rows = await joined(db)
        .where(inArray(agents.userId, [...userIds]))
        .orderBy(asc(users.handle));
      return rows.map(fromRow);
    },
    async upsert(input, by) {
      return db.transaction(async (tx) => {
        const at = new Date().toISOString();
        const holderOf = async () => {
          const [row] = await tx
            .select({ id: users.id, role: users.role, agent: agents.userId, key: apiKeys.id })
            .from(users)
            .leftJoin(agents, eq(agents.userId, users.id))
            .leftJoin(apiKeys, eq(apiKeys.userId, users.id))
            .where(eq(users.handle, input.handle))
            .limit(1)
            .for('update', { of: users });
          return row ? { id: row.id, role: row.role, isAgent: row.agent !== null, hasApiKey: row.key !== null } : null;
        };
        let holder = await holderOf();
        let plan = upsertPlan(input.handle, holder);
        const settings = {
          instructions: input.instructions,
          model: input.model ?? null,
          tools: [...input.tools],
          approval: { ...input.approval },
          avatar: input.avatar ?? null,
          updatedAt: at,
        };
        let userId: string;
        if (plan === 'create') {
          const [inserted] = await tx
            .insert(users)
            .values({
              id: newId(),
              handle: input.handle,
              displayName: input.name,
              role: 'agent',
              passwordHash: NO_PASSWORD,
              createdAt: at,
            })
            // A concurrent upsert of the same handle committed first: update what it made instead.
            .onConflictDoNothing({ target: users.handle })
            .returning({ id: users.id });
          if (inserted) userId = inserted.id;
          else {
            holder = await holderOf();
            plan = upsertPlan(input.handle, holder);
            userId = (holder as { id: string }).id;
          }
        } else {
          userId = (holder as { id: string }).id;
        }
        if (plan !== 'create') await tx.update(users).set({ displayName: input.name }).where(eq(users.id, userId));
        await tx
          .insert(agents)
          .values({ userId, createdBy: by, ...settings })
          .onConflictDoUpdate({ target: agents.userId, set: settings });
        return { agent: (await byHandleIn(tx, input.handle)) as Agent, created: plan !== 'update' };
      });
    },
    async remove(handle) {
      return db.transaction(async (tx) => {
        const agent = await byHandleIn(tx, handle);
        if (!agent) throw notFound('agent');
        await tx.delete(agents).where(eq(agents.userId, agent.userId));
        return agent;
      });
    },
  };
}
