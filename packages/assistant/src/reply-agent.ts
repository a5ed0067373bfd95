import type { AgentStatus, ChannelSignal, Message, ToolCallPart } from '@hubbub/core';
import type { ToolSet } from 'ai';
import type { ModelProvider } from './hand-made-model';
import { DEFAULT_SYSTEM_PROMPT } from './prompt';

/** The agent a reply is written as (from the registry: the API resolves it). */
export interface ReplyAgent {
  /** The agent's user id (its status signals name it). */
  id: string;
  handle: string;
  name: string;
  /** Who the reply is authored by: the agent's user, or null (the built-in assistant, as before the registry). */
  authorId: string | null;
  /** Its system prompt; empty: the assistant's default. */
  instructions: string;
  /** The model it asks for; null: the server's default. */
  model: string | null;
  /** The tools it may call in this reply, acting as the person who asked (none: it only writes). */
  toolset?: AgentToolset;
}

/** An agent's tools for one reply, bound to the person who asked and the channel (the API builds them). */
export interface AgentToolset {
  /** AI SDK tools; a tool that needs a person's approval has `needsApproval: true`. */
  tools: ToolSet;
  /** The reply now waits for a decision on `calls`: tell who may decide. Best effort. */
  onAwaitingApproval(reply: Message, calls: ToolCallPart[]): Promise<void>;
}

/**
 * The model that writes an agent's reply: the server's, when the agent asks for
 * none or for that one; otherwise the server's too (it has no other), with the
 * name the agent asked for kept so the reply and the log can say so.
 */
export function modelFor(
  agent: ReplyAgent | null,
  serverModel: ModelProvider,
): { model: ModelProvider; requestedModel?: string } {
  const asked = agent?.model;
  if (!asked || asked === serverModel.model) return { model: serverModel };
  return { model: serverModel, requestedModel: asked };
}

/** The system prompt of an agent's reply: its instructions, or the default when it has none. */
export function systemPromptFor(agent: ReplyAgent | null, serverPrompt: string | undefined): string {
  return agent?.instructions.trim() || serverPrompt || DEFAULT_SYSTEM_PROMPT;
}

/** The `agent.status` signal for `agent` working on `messageId`. */
export function agentStatusSignal(
  agent: ReplyAgent,
  status: AgentStatus,
  reply: { messageId: string; requestedBy: string },
  tool?: string,
): ChannelSignal {
  return {
    type: 'agent.status',
    agentId: agent.id,
    handle: agent.handle,
    name: agent.name,
    status,
    ...(tool ? { tool } : {}),
    messageId: reply.messageId,
    requestedBy: reply.requestedBy,
  };
}
