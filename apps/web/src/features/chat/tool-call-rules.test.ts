import type { ToolCallPart } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { testReply } from './test-messages';
import {
  argumentsLine,
  canDecideToolCall,
  decisionLine,
  fullValue,
  hasToolCalls,
  resultLine,
  TOOL_STATE_LABEL,
  toolCallLabel,
} from './tool-call-rules';
import type { Message } from './types';

const call = (patch: Partial<ToolCallPart> = {}): ToolCallPart => ({
  toolCallId: 'call-1',
  toolName: 'create_task',
  input: { title: 'Ship the release notes', agent: 'worker' },
  state: 'awaiting-approval',
  at: 0,
  step: 0,
  ...patch,
});

const reply = (patch: Partial<Message> = {}): Message =>
  testReply({ meta: { requestedBy: 'u-asker', awaitingApproval: true, toolCalls: [call()] }, ...patch });

const asker = { id: 'u-asker', role: 'member' as const };
const other = { id: 'u-other', role: 'member' as const };
const admin = { id: 'u-admin', role: 'admin' as const };

describe('who may approve or deny a tool call', () => {
  it('the person who asked and admins, while the call waits', () => {
    expect(canDecideToolCall(reply(), call(), asker)).toBe(true);
    expect(canDecideToolCall(reply(), call(), admin)).toBe(true);
    expect(canDecideToolCall(reply(), call(), other)).toBe(false);
  });

  it('nobody once the call was decided or the reply is over', () => {
    for (const state of ['running', 'done', 'failed', 'denied'] as const) {
      expect(canDecideToolCall(reply(), call({ state }), asker)).toBe(false);
    }
    for (const status of ['complete', 'cancelled', 'failed'] as const) {
      expect(canDecideToolCall(reply({ status }), call(), admin)).toBe(false);
    }
  });

  it('without a recorded asker only an admin may; a person’s message has no calls to decide', () => {
    expect(canDecideToolCall(reply({ meta: null }), call(), asker)).toBe(false);
    expect(canDecideToolCall(reply({ meta: null }), call(), admin)).toBe(true);
    expect(canDecideToolCall(reply({ role: 'user' }), call(), admin)).toBe(false);
  });
});

describe('what a card says', () => {
  it('names every state', () => {
    expect(TOOL_STATE_LABEL['awaiting-approval']).toBe('Waiting for approval');
    expect(Object.values(TOOL_STATE_LABEL)).toEqual(['Waiting for approval', 'Running', 'Done', 'Failed', 'Denied']);
  });

  it('a call left waiting in a reply that was stopped never ran', () => {
    expect(toolCallLabel(call(), reply())).toBe('Waiting for approval');
    expect(toolCallLabel(call(), reply({ status: 'cancelled' }))).toBe('Not run');
    expect(toolCallLabel(call({ state: 'done' }), reply({ status: 'complete' }))).toBe('Done');
  });

  it('who decided, and why a call was denied', () => {
    const ada = { id: 'u-ada', displayName: 'Ada' };
    expect(decisionLine(call())).toBeNull();
    expect(decisionLine(call({ state: 'running', decidedBy: ada }))).toBe('Approved by Ada');
    expect(decisionLine(call({ state: 'done', decidedBy: ada }))).toBe('Approved by Ada');
    expect(decisionLine(call({ state: 'done' }))).toBeNull();
    expect(decisionLine(call({ state: 'denied', decidedBy: ada }))).toBe('Denied by Ada');
    expect(decisionLine(call({ state: 'denied', decidedBy: ada, reason: '  not today ' }))).toBe(
      'Denied by Ada: not today',
    );
    expect(decisionLine(call({ state: 'denied', error: 'the reply was stopped' }))).toBe(
      'Denied: the reply was stopped',
    );
  });

  it('arguments on one line, cut when long; none for no arguments', () => {
    expect(argumentsLine(call().input)).toBe('title: "Ship the release notes", agent: "worker"');
    expect(argumentsLine({ query: 'deploy', limit: 5, skip: undefined })).toBe('query: "deploy", limit: 5');
    expect(argumentsLine({ items: [{ content: 'a' }] })).toBe('items: [{"content":"a"}]');
    expect(argumentsLine(null)).toBe('');
    expect(argumentsLine({})).toBe('');
    expect(argumentsLine('plain')).toBe('"plain"');
    const long = argumentsLine({ text: 'x'.repeat(500) }, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
    expect(argumentsLine({ text: 'two\nlines' })).toBe('text: "two\\nlines"');
  });

  it('a result folded on one line, and in full when unfolded', () => {
    expect(resultLine({ hits: 2 })).toBe('{"hits":2}');
    expect(resultLine('Found   it\nhere')).toBe('Found it here');
    expect(resultLine(undefined)).toBe('');
    expect(resultLine('y'.repeat(200), 20)).toHaveLength(20);
    expect(fullValue({ hits: 2 })).toBe('{\n  "hits": 2\n}');
    expect(fullValue('as it is')).toBe('as it is');
    expect(fullValue(undefined)).toBe('');
  });

  it('a reply with calls is shown as parts; one without stays one text', () => {
    expect(hasToolCalls(reply())).toBe(true);
    expect(hasToolCalls(reply({ meta: { toolCalls: [] } }))).toBe(false);
    expect(hasToolCalls(reply({ meta: null }))).toBe(false);
  });
});
