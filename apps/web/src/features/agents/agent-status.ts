import type { ChannelEvent } from '@hubbub/core';

type StatusSignal = Extract<ChannelEvent, { type: 'agent.status' }>;

/** An agent at work in a channel: what its status line says. */
export interface AgentAtWork {
  agentId: string;
  handle: string;
  name: string;
  /** The reply it is writing. */
  messageId: string;
}

/** Per channel, the agents thinking there now. */
export type AgentStatusState = Record<string, AgentAtWork[]>;

const without = (list: AgentAtWork[], keep: (entry: AgentAtWork) => boolean) => list.filter(keep);

/**
 * Applies an `agent.status` signal: "thinking" puts the agent on the channel's
 * line, anything else takes it off (a failed reply says why itself). Pure and
 * safe twice; the same state comes back when nothing changed.
 */
export function applyAgentStatus(state: AgentStatusState, channelId: string, signal: StatusSignal): AgentStatusState {
  const list = state[channelId] ?? [];
  const others = without(list, (entry) => entry.agentId !== signal.agentId);
  if (signal.status !== 'thinking') {
    return others.length === list.length ? state : { ...state, [channelId]: others };
  }
  const entry = { agentId: signal.agentId, handle: signal.handle, name: signal.name, messageId: signal.messageId };
  const same = list.find((e) => e.agentId === signal.agentId && e.messageId === signal.messageId);
  return same ? state : { ...state, [channelId]: [...others, entry] };
}

/** A reply finished (its final update arrived): its agent is no longer thinking, even if the idle signal was missed. */
export function replyEnded(state: AgentStatusState, channelId: string, messageId: string): AgentStatusState {
  const list = state[channelId];
  if (!list?.some((entry) => entry.messageId === messageId)) return state;
  return { ...state, [channelId]: without(list, (entry) => entry.messageId !== messageId) };
}

/** The status line: "@reviewer is thinking…", "@reviewer and @assistant are thinking…". */
export function describeAgentStatus(list: readonly AgentAtWork[]): string {
  const handles = list.map((entry) => `@${entry.handle}`);
  if (handles.length === 0) return '';
  if (handles.length === 1) return `${handles[0]} is thinking…`;
  if (handles.length === 2) return `${handles[0]} and ${handles[1]} are thinking…`;
  return 'Several agents are thinking…';
}
