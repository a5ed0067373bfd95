import type { ChannelEvent } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { type AgentStatusState, applyAgentStatus, describeAgentStatus, replyEnded } from './agent-status';

type StatusSignal = Extract<ChannelEvent, { type: 'agent.status' }>;
const signal = (status: StatusSignal['status'], over: Partial<StatusSignal> = {}): StatusSignal => ({
  type: 'agent.status',
  agentId: 'u-rev',
  handle: 'reviewer',
  name: 'Reviewer',
  status,
  messageId: 'm1',
  ...over,
});

const assistant = { agentId: 'u-as', handle: 'assistant', messageId: 'm2' };

describe('agent status line', () => {
  it('thinking puts the agent on its channel line; idle and error take it off', () => {
    let state: AgentStatusState = {};
    state = applyAgentStatus(state, 'c1', signal('thinking'));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer is thinking…');
    expect(state.c2).toBeUndefined();
    const twice = applyAgentStatus(state, 'c1', signal('thinking'));
    expect(twice).toBe(state);
    state = applyAgentStatus(state, 'c1', signal('thinking', assistant));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer and @assistant are thinking…');
    state = applyAgentStatus(state, 'c1', signal('error'));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@assistant is thinking…');
    state = applyAgentStatus(state, 'c1', signal('idle', assistant));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('');
    expect(applyAgentStatus(state, 'c1', signal('idle'))).toBe(state);
  });

  it('says which tool an agent calls, and when it waits for a person’s decision', () => {
    let state = applyAgentStatus({}, 'c1', signal('thinking'));
    state = applyAgentStatus(state, 'c1', signal('calling', { tool: 'search_messages' }));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer is calling search_messages…');
    expect(applyAgentStatus(state, 'c1', signal('calling', { tool: 'search_messages' }))).toBe(state);
    state = applyAgentStatus(state, 'c1', signal('awaiting-approval'));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer is waiting for approval');
    // One entry per agent, in its place on the line.
    expect(state.c1).toHaveLength(1);
    state = applyAgentStatus(state, 'c1', signal('thinking', assistant));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer is waiting for approval · @assistant is thinking…');
    state = applyAgentStatus(state, 'c1', signal('calling', { agentId: 'u-x', handle: 'x', messageId: 'm3' }));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('Several agents are at work…');
    state = applyAgentStatus(state, 'c1', signal('thinking'));
    state = applyAgentStatus(state, 'c1', signal('thinking', { agentId: 'u-x', handle: 'x', messageId: 'm3' }));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('Several agents are thinking…');
  });

  it('a finished reply ends its agent’s work even when the idle signal was missed', () => {
    const state = applyAgentStatus({}, 'c1', signal('calling', { tool: 'list_tasks' }));
    expect(replyEnded(state, 'c1', 'other')).toBe(state);
    expect(replyEnded(state, 'c1', 'm1').c1).toEqual([]);
  });
});
