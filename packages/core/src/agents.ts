import { z } from 'zod';
import { ZDisplayName, ZHandleFormat } from './schemas';
import { RESERVED_HANDLES } from './text-rules';

/**
 * Agents: members that answer. An agent IS a user of role "agent" (a channel
 * member, a DM partner, the author of its replies) with its settings beside it
 * (the `agents` table). `@assistant` is the built-in one: always there,
 * editable, never removed.
 */

/** The built-in agent's handle (reserved: nobody signs up with it). */
export const BUILT_IN_AGENT = 'assistant';

/** The tools an agent may be allowed (the tool loop calls them; checked here already). */
export const AGENT_TOOLS = [
  'search_messages',
  'read_channel',
  'list_tasks',
  'get_task',
  'create_task',
  'post_message',
  'update_todos',
] as const;
export type AgentTool = (typeof AGENT_TOOLS)[number];

/** "ask": a person approves each call; "auto": it runs at once. */
export type ToolApproval = 'ask' | 'auto';

export const AGENT_LIMITS = {
  name: 80,
  instructions: 8000,
  model: 100,
  avatar: 16,
} as const;

export interface Agent {
  /** Its user's id: what its replies are authored by, what a DM with it has as a member. */
  userId: string;
  handle: string;
  /** Its display name. */
  name: string;
  /** Its system prompt; empty: the server's default prompt. */
  instructions: string;
  /** The model it asks for; null: the server's default model. */
  model: string | null;
  tools: AgentTool[];
  /** Per allowed tool; a tool not listed follows the default (tools that change something ask). */
  approval: Partial<Record<AgentTool, ToolApproval>>;
  avatar: string | null;
  /** The built-in `@assistant` (not removable). */
  builtIn: boolean;
  createdBy: string | null;
  updatedAt: string;
}

/** What `agent.list` and `agent.get` show a member: no instructions (an admin's prompt is theirs to share). */
export type AgentSummary = Omit<Agent, 'instructions'> & { instructions?: string };

const ZAgentTool = z.enum(AGENT_TOOLS);

/** A registered agent's handle: a handle's format; "assistant" names the built-in one, the other reserved words none. */
export const ZAgentHandle = ZHandleFormat.refine(
  (handle) => handle === BUILT_IN_AGENT || !RESERVED_HANDLES.has(handle),
  { message: 'this handle is reserved: choose another' },
);

export const ZAgentHandleInput = z.object({ handle: ZAgentHandle });

export const ZAgentUpsertInput = z
  .object({
    handle: ZAgentHandle,
    name: ZDisplayName.pipe(z.string().max(AGENT_LIMITS.name)),
    instructions: z.string().max(AGENT_LIMITS.instructions).default(''),
    model: z.string().trim().min(1).max(AGENT_LIMITS.model).nullish(),
    tools: z
      .array(ZAgentTool)
      .max(AGENT_TOOLS.length)
      .refine((tools) => new Set(tools).size === tools.length, 'each tool once'),
    approval: z.partialRecord(ZAgentTool, z.enum(['ask', 'auto'])).default({}),
    avatar: z.string().trim().min(1).max(AGENT_LIMITS.avatar).nullish(),
  })
  .refine((input) => Object.keys(input.approval).every((tool) => input.tools.includes(tool as AgentTool)), {
    message: 'approval can only be set for the tools the agent may use',
    path: ['approval'],
  });
export type AgentUpsertInput = z.output<typeof ZAgentUpsertInput>;
