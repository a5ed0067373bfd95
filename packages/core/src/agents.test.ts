import { describe, expect, it } from 'vitest';
import { AGENT_LIMITS, ZAgentHandle, ZAgentUpsertInput } from './agents';

const valid = {
  handle: 'reviewer',
  name: 'Reviewer',
  tools: ['read_channel', 'create_task'],
  approval: { create_task: 'ask' },
};
const issues = (input: unknown) => ZAgentUpsertInput.safeParse(input).error?.issues.map((i) => i.path.join('.')) ?? [];

describe('agent inputs', () => {
  it('takes a handle by the people rules; "assistant" names the built-in agent, the other reserved words nobody', () => {
    expect(ZAgentHandle.parse(' Reviewer ')).toBe('reviewer');
    expect(ZAgentHandle.parse('assistant')).toBe('assistant');
    for (const bad of ['everyone', 'channel', 'x', 'two words', '-dash', 'a'.repeat(33)]) {
      expect(ZAgentHandle.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('defaults instructions and approval; model and avatar are optional', () => {
    expect(ZAgentUpsertInput.parse({ handle: 'planner', name: 'Planner', tools: [] })).toEqual({
      handle: 'planner',
      name: 'Planner',
      tools: [],
      instructions: '',
      approval: {},
    });
  });

  it('refuses unknown tools, a tool twice, and approval for a tool the agent may not use', () => {
    expect(issues(valid)).toEqual([]);
    expect(issues({ ...valid, tools: ['rm_rf'] })).toEqual(['tools.0']);
    expect(issues({ ...valid, tools: ['read_channel', 'read_channel'], approval: {} })).toEqual(['tools']);
    expect(issues({ ...valid, approval: { post_message: 'auto' } })).toEqual(['approval']);
    expect(issues({ ...valid, approval: { create_task: 'maybe' } })).toEqual(['approval.create_task']);
  });

  it('bounds every text at its limit', () => {
    const at = (field: string, length: number) => issues({ ...valid, [field]: 'x'.repeat(length) });
    expect(at('instructions', AGENT_LIMITS.instructions)).toEqual([]);
    expect(at('instructions', AGENT_LIMITS.instructions + 1)).toEqual(['instructions']);
    expect(at('name', AGENT_LIMITS.name)).toEqual([]);
    expect(at('name', AGENT_LIMITS.name + 1)).toEqual(['name']);
    expect(at('model', AGENT_LIMITS.model)).toEqual([]);
    expect(at('model', AGENT_LIMITS.model + 1)).toEqual(['model']);
    expect(at('avatar', AGENT_LIMITS.avatar)).toEqual([]);
    expect(at('avatar', AGENT_LIMITS.avatar + 1)).toEqual(['avatar']);
    expect(issues({ ...valid, name: '\u200b' })).toEqual(['name']);
  });
});
