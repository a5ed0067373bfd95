import { TOOL_CALL_LIMITS, type ToolCallPart } from '@hubbub/core';
import type { ModelMessage as LoopMessage } from 'ai';

/** A call's output as kept with the reply: its JSON, or a cut preview when that is too long. */
export function keptOutput(output: unknown): unknown {
  const json = JSON.stringify(output ?? null);
  if (json.length <= TOOL_CALL_LIMITS.output) return output ?? null;
  return { truncated: true, preview: json.slice(0, TOOL_CALL_LIMITS.output) };
}

/** The tool calls of one reply, in the order the model made them. */
export class ToolCallLog {
  readonly calls: ToolCallPart[];

  constructor(calls: readonly ToolCallPart[] = []) {
    this.calls = calls.map((call) => ({ ...call }));
  }

  /** The step the next model answer is: one after the last step that called tools. */
  get nextStep(): number {
    return this.calls.reduce((next, call) => Math.max(next, call.step + 1), 0);
  }

  get awaiting(): ToolCallPart[] {
    return this.calls.filter((call) => call.state === 'awaiting-approval');
  }

  add(call: ToolCallPart): boolean {
    if (this.calls.length >= TOOL_CALL_LIMITS.calls) return false;
    this.calls.push(call);
    return true;
  }

  /** Changes a known call; false when there is none by that id. */
  update(toolCallId: string, change: Partial<ToolCallPart>): boolean {
    const call = this.calls.find((c) => c.toolCallId === toolCallId);
    if (!call) return false;
    Object.assign(call, change);
    return true;
  }

  /** A snapshot to store (later updates do not change it). */
  snapshot(): ToolCallPart[] {
    return this.calls.map((call) => ({ ...call }));
  }
}

/**
 * The loop so far as the AI SDK's messages, rebuilt from a stored reply (its
 * text and calls) so it resumes after a decision — across restarts too.
 * Each step is the model's text and calls, then their results; the calls of
 * the last step that were just decided become approval responses, which the
 * SDK acts on (runs the approved ones, tells the model of the denied ones).
 */
export function loopMessages(content: string, calls: readonly ToolCallPart[]): LoopMessage[] {
  const steps = new Map<number, ToolCallPart[]>();
  for (const call of calls) steps.set(call.step, [...(steps.get(call.step) ?? []), call]);
  const lastStep = Math.max(-1, ...steps.keys());
  const messages: LoopMessage[] = [];
  let from = 0;
  for (const [step, stepCalls] of [...steps].sort((a, b) => a[0] - b[0])) {
    const text = content.slice(from, stepCalls[0]?.at ?? from);
    from = Math.max(from, ...stepCalls.map((call) => call.at));
    messages.push({
      role: 'assistant',
      content: [
        ...(text ? [{ type: 'text' as const, text }] : []),
        ...stepCalls.flatMap((call) => [
          { type: 'tool-call' as const, toolCallId: call.toolCallId, toolName: call.toolName, input: call.input },
          ...(call.approvalId
            ? [{ type: 'tool-approval-request' as const, approvalId: call.approvalId, toolCallId: call.toolCallId }]
            : []),
        ]),
      ],
    });
    messages.push({ role: 'tool', content: stepCalls.map((call) => resultOf(call, step === lastStep)) });
  }
  return messages;
}

type ToolMessagePart = Extract<LoopMessage, { role: 'tool' }>['content'][number];

function resultOf(call: ToolCallPart, justDecided: boolean): ToolMessagePart {
  const { toolCallId, toolName } = call;
  if (justDecided && call.approvalId && (call.state === 'running' || call.state === 'denied')) {
    const approved = call.state === 'running';
    return { type: 'tool-approval-response', approvalId: call.approvalId, approved, reason: call.reason };
  }
  switch (call.state) {
    case 'done':
      return {
        type: 'tool-result',
        toolCallId,
        toolName,
        output: { type: 'json', value: (call.output ?? null) as never },
      };
    case 'denied':
      return { type: 'tool-result', toolCallId, toolName, output: { type: 'execution-denied', reason: call.reason } };
    default:
      return {
        type: 'tool-result',
        toolCallId,
        toolName,
        output: { type: 'error-text', value: call.error ?? 'the call did not finish' },
      };
  }
}
