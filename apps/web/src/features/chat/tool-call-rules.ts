import type { ToolCallPart, ToolCallState, User } from '@hubbub/core';
import type { Message } from './types';

/**
 * Pure rules for showing an agent's tool calls in its reply: what a state is
 * called, who may approve or deny a call, and the one-line forms of a call's
 * arguments and result.
 */

export const TOOL_STATE_LABEL: Record<ToolCallState, string> = {
  'awaiting-approval': 'Waiting for approval',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  denied: 'Denied',
};

/**
 * What a call's badge says. A call still waiting in a reply that ended (stopped
 * while it waited, or failed) was never decided and never ran.
 */
export function toolCallLabel(call: Pick<ToolCallPart, 'state'>, message: Pick<Message, 'status'>): string {
  if (call.state === 'awaiting-approval' && message.status !== 'streaming') return 'Not run';
  return TOOL_STATE_LABEL[call.state];
}

/** Whether a reply is shown as parts (text and tool-call cards) rather than as one text. */
export const hasToolCalls = (message: Pick<Message, 'meta'>): boolean => (message.meta?.toolCalls?.length ?? 0) > 0;

/**
 * The server takes a decision from the person who asked for the reply or an
 * admin, while the call waits and the reply is under way; nobody else gets the buttons.
 */
export function canDecideToolCall(
  message: Pick<Message, 'role' | 'status' | 'meta'>,
  call: Pick<ToolCallPart, 'state'>,
  me: Pick<User, 'id' | 'role'>,
): boolean {
  if (message.role !== 'assistant' || message.status !== 'streaming' || call.state !== 'awaiting-approval') {
    return false;
  }
  return me.role === 'admin' || message.meta?.requestedBy === me.id;
}

/** "Approved by Ada", "Denied by Ada: not today", or null for a call nobody decided on. */
export function decisionLine(call: Pick<ToolCallPart, 'state' | 'decidedBy' | 'reason' | 'error'>): string | null {
  const reason = call.reason?.trim() || null;
  if (call.state === 'denied') {
    if (call.decidedBy) return `Denied by ${call.decidedBy.displayName}${reason ? `: ${reason}` : ''}`;
    const why = reason ?? call.error?.trim();
    return why ? `Denied: ${why}` : 'Denied';
  }
  return call.decidedBy ? `Approved by ${call.decidedBy.displayName}` : null;
}

function cut(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const inline = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : jsonOf(value));

function jsonOf(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A call's arguments on one line: `title: "Ship it", agent: "worker"` for an
 * object, its JSON otherwise; empty for none. Cut at `max` characters.
 */
export function argumentsLine(input: unknown, max = 120): string {
  if (input === undefined || input === null) return '';
  if (typeof input === 'object' && !Array.isArray(input)) {
    const entries = Object.entries(input as Record<string, unknown>).filter(([, value]) => value !== undefined);
    return cut(entries.map(([key, value]) => `${key}: ${inline(value)}`).join(', '), max);
  }
  return cut(inline(input), max);
}

/** A value in full, for the unfolded view: text as it is, anything else as indented JSON. */
export function fullValue(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : jsonOf(value, 2);
}

/** A result on one line (the folded view): cut at `max` characters. */
export function resultLine(output: unknown, max = 80): string {
  if (output === undefined || output === null) return '';
  return cut(typeof output === 'string' ? output : jsonOf(output), max);
}
