/** Agent rows (either dialect) → Agent, and what an upsert may do with the user that holds its handle. */
import { type Agent, type AgentTool, AppError, BUILT_IN_AGENT, type ToolApproval } from '@hubbub/core';
import type { Json } from './rows';

export interface AgentJoinRow {
  userId: string;
  handle: string;
  name: string;
  instructions: string;
  model: string | null;
  tools: unknown;
  approval: unknown;
  avatar: string | null;
  createdBy: string | null;
  updatedAt: string;
}

export const toAgent = (row: AgentJoinRow, json: Json): Agent => ({
  userId: row.userId,
  handle: row.handle,
  name: row.name,
  instructions: row.instructions,
  model: row.model,
  tools: json(row.tools) as AgentTool[],
  approval: json(row.approval) as Partial<Record<AgentTool, ToolApproval>>,
  avatar: row.avatar,
  builtIn: row.handle === BUILT_IN_AGENT,
  createdBy: row.createdBy,
  updatedAt: row.updatedAt,
});

/** The user already holding a handle, as far as an agent upsert cares. */
export interface HandleHolder {
  id: string;
  role: 'admin' | 'member' | 'agent';
  isAgent: boolean;
  hasApiKey: boolean;
}

/**
 * What `upsert` does with the holder of the handle: make a new user, update
 * the agent, or bring back a removed agent's user. A person's handle or an API
 * key's identity is never taken over.
 */
export function upsertPlan(handle: string, holder: HandleHolder | null): 'create' | 'update' | 'revive' {
  if (!holder) return 'create';
  if (holder.isAgent) return 'update';
  if (holder.role !== 'agent' || holder.hasApiKey) {
    throw new AppError(
      'CONFLICT',
      `the handle "${handle}" is taken by ${holder.role === 'agent' ? 'an API key' : 'a person'}`,
    );
  }
  return 'revive';
}

/** '!' is no scrypt hash: nobody can log in as an agent with a password. */
export const NO_PASSWORD = '!';
