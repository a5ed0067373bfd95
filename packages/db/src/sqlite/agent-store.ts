import { type Agent, type AgentStore, notFound } from '@hubbub/core';
import { asc, eq, inArray } from 'drizzle-orm';
import { type AgentJoinRow, NO_PASSWORD, toAgent, upsertPlan } from '../agent-rows';
import { newId } from '../ids';
import { parseText } from '../rows';
import type { SqliteDb, SqliteTx } from './open';
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

const fromRow = (row: AgentJoinRow): Agent => toAgent(row, parseText);

export function createSqliteAgentStore(db: SqliteDb): AgentStore {
  const joined = (tx: SqliteDb | SqliteTx) =>
    tx.select(columns).from(agents).innerJoin(users, eq(users.id, agents.userId));
  const byHandleIn = (tx: SqliteDb | SqliteTx, handle: string) => {
    const row = joined(tx).where(eq(users.handle, handle)).get();
    return row ? fromRow(row) : null;
  };

  return {
    async list() {
      return joined(db).orderBy(asc(users.handle)).all().map(fromRow);
    },
    async byHandle(handle) {
      return byHandleIn(db, handle);
    },
    async byUserIds(userIds) {
      if (userIds.length === 0) return [];
      return joined(db)
        .where(inArray(agents.userId, [...userIds]))
        .orderBy(asc(users.handle))
        .all()
        .map(fromRow);
    },
    async upsert(input, by) {
      return db.transaction((tx) => {
        const at = new Date().toISOString();
        const holder = tx
          .select({ id: users.id, role: users.role, agent: agents.userId, key: apiKeys.id })
          .from(users)
          .leftJoin(agents, eq(agents.userId, users.id))
          .leftJoin(apiKeys, eq(apiKeys.userId, users.id))
          .where(eq(users.handle, input.handle))
          .get();
        const plan = upsertPlan(
          input.handle,
          holder
            ? { id: holder.id, role: holder.role, isAgent: holder.agent !== null, hasApiKey: holder.key !== null }
            : null,
        );
        const settings = {
          instructions: input.instructions,
          model: input.model ?? null,
          tools: JSON.stringify(input.tools),
          approval: JSON.stringify(input.approval),
          avatar: input.avatar ?? null,
          updatedAt: at,
        };
        let userId: string;
        if (plan === 'create') {
          userId = newId();
          tx.insert(users)
            .values({
              id: userId,
              handle: input.handle,
              displayName: input.name,
              role: 'agent',
              passwordHash: NO_PASSWORD,
              createdAt: at,
            })
            .run();
        } else {
          userId = (holder as { id: string }).id;
          tx.update(users).set({ displayName: input.name }).where(eq(users.id, userId)).run();
        }
        if (plan === 'update') tx.update(agents).set(settings).where(eq(agents.userId, userId)).run();
        else
          tx.insert(agents)
            .values({ userId, createdBy: by, ...settings })
            .run();
        return { agent: byHandleIn(tx, input.handle) as Agent, created: plan !== 'update' };
      });
    },
    async remove(handle) {
      return db.transaction((tx) => {
        const agent = byHandleIn(tx, handle);
        if (!agent) throw notFound('agent');
        tx.delete(agents).where(eq(agents.userId, agent.userId)).run();
        return agent;
      });
    },
  };
}
