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

describe('agent status line', () => {
  it('thinking puts the agent on its channel line; idle and error take it off', () => {
    let state: AgentStatusState = {};
    state = applyAgentStatus(state, 'c1', signal('thinking'));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer is thinking…');
    expect(state.c2).toBeUndefined();
    const twice = applyAgentStatus(state, 'c1', signal('thinking'));
    expect(twice).toBe(state);
    state = applyAgentStatus(
      state,
      'c1',
      signal('thinking', { agentId: 'u-as', handle: 'assistant', messageId: 'm2' }),
    );
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@reviewer and @assistant are thinking…');
    state = applyAgentStatus(state, 'c1', signal('error'));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('@assistant is thinking…');
    state = applyAgentStatus(state, 'c1', signal('idle', { agentId: 'u-as', handle: 'assistant', messageId: 'm2' }));
    expect(describeAgentStatus(state.c1 ?? [])).toBe('');
    expect(applyAgentStatus(state, 'c1', signal('idle'))).toBe(state);
  });

  it('a finished reply ends its agent’s thinking even when the idle signal was missed', () => {
    const state = applyAgentStatus({}, 'c1', signal('thinking'));
    expect(replyEnded(state, 'c1', 'other')).toBe(state);
    expect(replyEnded(state, 'c1', 'm1').c1).toEqual([]);
  });
});
