import type { AgentStatus, ChannelEvent } from '@hubbub/core';

type StatusSignal = Extract<ChannelEvent, { type: 'agent.status' }>;

/** What an agent on the status line is doing (idle and error take it off the line). */
export type AgentActivity = Exclude<AgentStatus, 'idle' | 'error'>;

/** An agent at work in a channel: what its status line says. */
export interface AgentAtWork {
  agentId: string;
  handle: string;
  name: string;
  /** The reply it is writing. */
  messageId: string;
  activity: AgentActivity;
  /** The tool it is calling (activity "calling"). */
  tool?: string;
}

/** Per channel, the agents at work there now. */
export type AgentStatusState = Record<string, AgentAtWork[]>;

const without = (list: AgentAtWork[], keep: (entry: AgentAtWork) => boolean) => list.filter(keep);

const activityOf = (status: AgentStatus): AgentActivity | null =>
  status === 'idle' || status === 'error' ? null : status;

/**
 * Applies an `agent.status` signal: thinking, calling a tool or waiting for
 * approval puts the agent on the channel's line (in its place if it was there),
 * idle or error takes it off (a failed reply says why itself). Pure and safe
 * twice; the same state comes back when nothing changed.
 */
export function applyAgentStatus(state: AgentStatusState, channelId: string, signal: StatusSignal): AgentStatusState {
  const list = state[channelId] ?? [];
  const activity = activityOf(signal.status);
  if (!activity) {
    const others = without(list, (entry) => entry.agentId !== signal.agentId);
    return others.length === list.length ? state : { ...state, [channelId]: others };
  }
  const entry: AgentAtWork = {
    agentId: signal.agentId,
    handle: signal.handle,
    name: signal.name,
    messageId: signal.messageId,
    activity,
    ...(activity === 'calling' && signal.tool ? { tool: signal.tool } : {}),
  };
  const at = list.findIndex((e) => e.agentId === signal.agentId);
  const current = list[at];
  if (
    current &&
    current.messageId === entry.messageId &&
    current.activity === entry.activity &&
    current.tool === entry.tool
  ) {
    return state;
  }
  const next = at === -1 ? [...list, entry] : list.map((e, i) => (i === at ? entry : e));
  return { ...state, [channelId]: next };
}

/** A reply finished (its final update arrived): its agent is no longer at work, even if the idle signal was missed. */
export function replyEnded(state: AgentStatusState, channelId: string, messageId: string): AgentStatusState {
  const list = state[channelId];
  if (!list?.some((entry) => entry.messageId === messageId)) return state;
  return { ...state, [channelId]: without(list, (entry) => entry.messageId !== messageId) };
}

/** "@reviewer is thinking…", "@reviewer is calling search_messages…", "@assistant is waiting for approval". */
function describeOne(entry: AgentAtWork): string {
  const who = `@${entry.handle}`;
  switch (entry.activity) {
    case 'calling':
      return entry.tool ? `${who} is calling ${entry.tool}…` : `${who} is using a tool…`;
    case 'awaiting-approval':
      return `${who} is waiting for approval`;
    default:
      return `${who} is thinking…`;
  }
}

/**
 * The status line: one agent says what it does; two thinking share a phrase
 * ("@reviewer and @assistant are thinking…"), two doing different things get
 * one each; more are summed up.
 */
export function describeAgentStatus(list: readonly AgentAtWork[]): string {
  const [first, second] = list;
  if (!first) return '';
  if (!second) return describeOne(first);
  const allThinking = list.every((entry) => entry.activity === 'thinking');
  if (list.length === 2) {
    return allThinking
      ? `@${first.handle} and @${second.handle} are thinking…`
      : `${describeOne(first)} · ${describeOne(second)}`;
  }
  return allThinking ? 'Several agents are thinking…' : 'Several agents are at work…';
}
