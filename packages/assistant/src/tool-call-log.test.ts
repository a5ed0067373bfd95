import { TOOL_CALL_LIMITS, type ToolCallPart } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { keptOutput, loopMessages, ToolCallLog } from './tool-call-log';

const call = (over: Partial<ToolCallPart> & Pick<ToolCallPart, 'toolCallId' | 'at' | 'step'>): ToolCallPart => ({
  toolName: 'search_messages',
  input: { query: 'x' },
  state: 'done',
  output: { hits: [] },
  ...over,
});

describe('ToolCallLog', () => {
  it('numbers the next step after the last one that called tools, and lists the waiting calls', () => {
    const log = new ToolCallLog([call({ toolCallId: 'a', at: 0, step: 0 }), call({ toolCallId: 'b', at: 3, step: 2 })]);
    expect(log.nextStep).toBe(3);
    expect(new ToolCallLog().nextStep).toBe(0);
    log.update('b', { state: 'awaiting-approval' });
    expect(log.awaiting.map((c) => c.toolCallId)).toEqual(['b']);
    expect(log.update('nope', { state: 'done' })).toBe(false);
  });

  it('keeps its own copies: a snapshot does not change with later updates, nor does the input', () => {
    const stored = [call({ toolCallId: 'a', at: 0, step: 0, state: 'running' })];
    const log = new ToolCallLog(stored);
    const before = log.snapshot();
    log.update('a', { state: 'done' });
    expect(before[0]?.state).toBe('running');
    expect(stored[0]?.state).toBe('running');
  });

  it(`holds at most ${TOOL_CALL_LIMITS.calls} calls`, () => {
    const log = new ToolCallLog();
    for (let i = 0; i < TOOL_CALL_LIMITS.calls; i++)
      expect(log.add(call({ toolCallId: `c${i}`, at: 0, step: i }))).toBe(true);
    expect(log.add(call({ toolCallId: 'one-more', at: 0, step: 99 }))).toBe(false);
  });
});

describe('keptOutput', () => {
  it('keeps a small output as it is and cuts a long one to a bounded preview', () => {
    expect(keptOutput({ a: 1 })).toEqual({ a: 1 });
    expect(keptOutput(undefined)).toBeNull();
    const long = keptOutput({ text: 'x'.repeat(TOOL_CALL_LIMITS.output * 2) }) as {
      truncated: boolean;
      preview: string;
    };
    expect(long.truncated).toBe(true);
    expect(long.preview).toHaveLength(TOOL_CALL_LIMITS.output);
  });
});

describe('loopMessages', () => {
  it('rebuilds each step as the text and calls, then their results; the just-decided calls become approval responses', () => {
    const content = 'Looking.Found it. Creating.';
    const calls: ToolCallPart[] = [
      call({ toolCallId: 's1', at: 8, step: 0, output: { hits: [1] } }),
      call({
        toolCallId: 't1',
        toolName: 'create_task',
        input: { title: 'T' },
        at: 27,
        step: 1,
        state: 'running',
        approvalId: 'ap1',
        output: undefined,
      }),
      call({
        toolCallId: 't2',
        toolName: 'post_message',
        input: { channelId: 'c', content: 'hi' },
        at: 27,
        step: 1,
        state: 'denied',
        approvalId: 'ap2',
        reason: 'no',
        output: undefined,
      }),
    ];
    expect(loopMessages(content, calls)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking.' },
          { type: 'tool-call', toolCallId: 's1', toolName: 'search_messages', input: { query: 'x' } },
        ],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 's1',
            toolName: 'search_messages',
            output: { type: 'json', value: { hits: [1] } },
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Found it. Creating.' },
          { type: 'tool-call', toolCallId: 't1', toolName: 'create_task', input: { title: 'T' } },
          { type: 'tool-approval-request', approvalId: 'ap1', toolCallId: 't1' },
          { type: 'tool-call', toolCallId: 't2', toolName: 'post_message', input: { channelId: 'c', content: 'hi' } },
          { type: 'tool-approval-request', approvalId: 'ap2', toolCallId: 't2' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-approval-response', approvalId: 'ap1', approved: true, reason: undefined },
          { type: 'tool-approval-response', approvalId: 'ap2', approved: false, reason: 'no' },
        ],
      },
    ]);
  });

  it('an earlier denial is a denied result, a failure an error result', () => {
    const calls: ToolCallPart[] = [
      call({
        toolCallId: 'd',
        toolName: 'create_task',
        at: 0,
        step: 0,
        state: 'denied',
        approvalId: 'x',
        reason: 'nope',
      }),
      call({ toolCallId: 'f', at: 0, step: 0, state: 'failed', error: 'FORBIDDEN: no', output: undefined }),
      call({ toolCallId: 'later', at: 0, step: 1 }),
    ];
    const [, results] = loopMessages('', calls);
    expect(results).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: 'd',
          toolName: 'create_task',
          output: { type: 'execution-denied', reason: 'nope' },
        },
        {
          type: 'tool-result',
          toolCallId: 'f',
          toolName: 'search_messages',
          output: { type: 'error-text', value: 'FORBIDDEN: no' },
        },
      ],
    });
  });
});
