import { BUILT_IN_AGENT } from '@hubbub/core';
import type { DirectPerson } from '../chat/dm-names';
import { directConversations } from '../chat/dm-names';
import type { ChannelSummary } from '../chat/types';

/**
 * Sessions with agents: direct conversations whose other members are all agents. A person may hold
 * many of them (dm.open with `fresh`), names and archives them; the sidebar lists them apart from
 * the conversations with people.
 */

type Conversation = Pick<
  ChannelSummary,
  'kind' | 'joined' | 'lastMessageAt' | 'createdAt' | 'people' | 'name' | 'archivedAt'
>;

/** Who is an agent: the registry's user ids, or (before it has loaded) only the built-in @assistant. */
export type AgentCheck = (person: DirectPerson) => boolean;

export function agentCheck(agentIds: ReadonlySet<string> | null): AgentCheck {
  return agentIds ? (person) => agentIds.has(person.userId) : (person) => person.handle === BUILT_IN_AGENT;
}

/** The agents of a session (everyone but you); empty for a conversation that is not one. */
export function sessionAgents(channel: Pick<Conversation, 'kind' | 'people'>, meId: string, isAgent: AgentCheck) {
  if (channel.kind !== 'dm') return [];
  const others = (channel.people ?? []).filter((p) => p.userId !== meId);
  return others.length > 0 && others.every(isAgent) ? others : [];
}

export function isAgentSession(channel: Pick<Conversation, 'kind' | 'people'>, meId: string, isAgent: AgentCheck) {
  return sessionAgents(channel, meId, isAgent).length > 0;
}

export interface DirectSplit<T> {
  /** Conversations with people (an agent may be among them): the "Direct messages" list. */
  people: T[];
  /** Conversations with agents only, open ones, most recently active first. */
  sessions: T[];
  /** Archived sessions, most recently active first: under the "Archived" fold. */
  archived: T[];
}

/** Your direct conversations, split into those with people and your sessions with agents (open and archived). */
export function splitDirect<T extends Conversation>(
  channels: readonly T[],
  meId: string,
  isAgent: AgentCheck,
): DirectSplit<T> {
  const split: DirectSplit<T> = { people: [], sessions: [], archived: [] };
  for (const c of directConversations(channels)) {
    if (!isAgentSession(c, meId, isAgent)) split.people.push(c);
    else if (c.archivedAt) split.archived.push(c);
    else split.sessions.push(c);
  }
  return split;
}

/** What a session never named is called. */
export const UNTITLED = 'New conversation';

/**
 * What the sidebar calls a session: the name given to it, or, for one never named (the server names
 * it after everyone in it, "Ada, Assistant"), "New conversation".
 */
export function sessionTitle(channel: Pick<Conversation, 'name' | 'people'>): string {
  const name = channel.name.trim();
  const everyone = (channel.people ?? []).map((p) => p.displayName).sort();
  const named = name.split(', ').sort();
  const untitled = name === '' || (named.length === everyone.length && named.every((n, i) => n === everyone[i]));
  return untitled ? UNTITLED : name;
}

/** The agents offered for a new conversation: the built-in @assistant first, then the others by name. */
export function agentChoices<A extends { handle: string; name: string }>(agents: readonly A[]): A[] {
  const rank = (a: A) => (a.handle === BUILT_IN_AGENT ? 0 : 1);
  return [...agents].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** The name a new session is opened with: trimmed, or none (the server's default) when left empty. */
export function newSessionName(typed: string): string | undefined {
  const name = typed.trim();
  return name === '' ? undefined : name;
}

export interface SessionGroup<T> {
  /** The agents' user ids, joined: one group per set of agents. */
  key: string;
  /** "Assistant": the group's heading. */
  agentNames: string;
  items: T[];
}

/** Sessions grouped by the agents they are with, in the order given (the group with the latest activity first). */
export function groupByAgents<T extends Conversation>(
  sessions: readonly T[],
  meId: string,
  isAgent: AgentCheck,
): SessionGroup<T>[] {
  const groups = new Map<string, SessionGroup<T>>();
  for (const c of sessions) {
    const agents = sessionAgents(c, meId, isAgent).sort((a, b) => a.displayName.localeCompare(b.displayName));
    const key = agents.map((p) => p.userId).join(' ');
    const group = groups.get(key) ?? { key, agentNames: agents.map((p) => p.displayName).join(', '), items: [] };
    group.items.push(c);
    groups.set(key, group);
  }
  return [...groups.values()];
}
