/** The agent registry as the API uses it: which agent a message asks, the built-in @assistant, live changes. */
import type { AgentToolset, ReplyAgent } from '@hubbub/assistant';
import { mentionsAssistant } from '@hubbub/assistant';
import {
  AGENT_TOOLS,
  type Agent,
  type AgentStore,
  type AgentUpsertInput,
  AppError,
  BUILT_IN_AGENT,
  DIRECTORY_TOPIC,
  type Message,
  mentionedHandles,
  type User,
} from '@hubbub/core';
import type { AppDeps } from './context';

/** The built-in agent as it is first made: the server's default prompt and model, every tool (those that change something ask first). */
const BUILT_IN_SETTINGS: AgentUpsertInput = {
  handle: BUILT_IN_AGENT,
  name: 'Assistant',
  instructions: '',
  model: null,
  tools: [...AGENT_TOOLS],
  approval: {},
  avatar: null,
};

/** The built-in `@assistant`, made the first time it is needed (at start; harmless when several instances race). */
export async function ensureBuiltInAgent(agents: AgentStore): Promise<Agent> {
  const found = await agents.byHandle(BUILT_IN_AGENT);
  if (found) return found;
  try {
    return (await agents.upsert(BUILT_IN_SETTINGS, null)).agent;
  } catch (error) {
    // SQLite: another process made it between the read and the write.
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    const made = await agents.byHandle(BUILT_IN_AGENT);
    if (!made) throw error;
    return made;
  }
}

/**
 * How the assistant writes as `agent` (with `toolset`: its tools for this reply's asker): the built-in
 * one's replies stay authorless, as they were before the registry.
 */
export const toReplyAgent = (agent: Agent, toolset?: AgentToolset): ReplyAgent => ({
  id: agent.userId,
  handle: agent.handle,
  name: agent.name,
  authorId: agent.builtIn ? null : agent.userId,
  instructions: agent.instructions,
  model: agent.model,
  toolset,
});

/** Channels → the people of a direct conversation (null: a channel). Both never change, so they are kept. */
const directPeople = new WeakMap<AppDeps, Map<string, readonly string[] | null>>();
const DIRECT_PEOPLE_KEPT = 10_000;

async function peopleOfDirect(deps: AppDeps, channelId: string): Promise<readonly string[] | null> {
  const known = directPeople.get(deps) ?? new Map<string, readonly string[] | null>();
  directPeople.set(deps, known);
  const cached = known.get(channelId);
  if (cached !== undefined) return cached;
  const channel = await deps.stores.chat.channelById(channelId);
  // An unknown channel is not remembered: sending there fails on its own.
  if (!channel) return null;
  const people = channel.kind === 'dm' ? (await deps.stores.chat.members(channelId)).map((m) => m.userId) : null;
  // The oldest entry goes first: Map keeps insertion order.
  if (known.size >= DIRECT_PEOPLE_KEPT) known.delete(known.keys().next().value as string);
  known.set(channelId, people);
  return people;
}

/**
 * The agent a new message asks, if any: the first registered agent it
 * mentions (`@assistant` always names the built-in one); without a mention,
 * in a direct conversation of the author with one agent, that agent. An agent
 * never asks itself.
 */
export async function askedAgent(
  deps: AppDeps,
  author: User,
  channelId: string,
  content: string,
): Promise<Agent | null> {
  const handles = mentionedHandles(content);
  // Most mentions name people: the agents table is read only when an agent's user is named.
  const named = handles.length > 0 ? await deps.stores.users.byHandles(handles) : [];
  const agentUsers = named.filter((user) => user.role === 'agent' && user.id !== author.id);
  if (agentUsers.length > 0) {
    const agents = new Map((await deps.stores.agents.byUserIds(agentUsers.map((u) => u.id))).map((a) => [a.handle, a]));
    const first = handles.map((handle) => agents.get(handle)).find((agent) => agent !== undefined);
    if (first) return first;
  }
  if (mentionsAssistant(content)) return ensureBuiltInAgent(deps.stores.agents);
  const people = await peopleOfDirect(deps, channelId);
  const others = people?.filter((id) => id !== author.id) ?? [];
  if (others.length !== 1) return null;
  const [partner] = await deps.stores.agents.byUserIds(others);
  return partner ?? null;
}

/** The agent that wrote a reply (to write it again): its author's, or the built-in one for an authorless reply. */
export async function agentOfReply(deps: AppDeps, message: Message): Promise<Agent | null> {
  if (message.authorId === null) return ensureBuiltInAgent(deps.stores.agents);
  const [agent] = await deps.stores.agents.byUserIds([message.authorId]);
  return agent ?? null;
}

/** An agent was added, changed or removed: every signed-in list and picker reads the registry again (live only). */
export async function publishAgentChange(deps: AppDeps, handle: string, removed: boolean): Promise<void> {
  await deps.bus.publish(DIRECTORY_TOPIC, { kind: 'agents', handle, removed }).catch(() => {});
}
