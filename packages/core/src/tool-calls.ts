import { z } from 'zod';
import { ZId } from './schemas';
import type { Message, ToolCallPart } from './types';

/**
 * An assistant reply is made of ordered parts: its text, and the tool calls
 * its agent made along the way. A call is stored in `meta.toolCalls` with the
 * place in the text where it stands (`at`), so text deltas keep appending to
 * `content` and the parts are the text cut at those places (`replyParts`).
 */

export type ReplyPart = { type: 'text'; text: string } | ({ type: 'tool-call' } & ToolCallPart);

export const TOOL_CALL_LIMITS = {
  /** Model steps in one reply (each may call tools). */
  steps: 8,
  /** Calls stored on one reply. */
  calls: 32,
  /** Characters of a call's JSON output kept with the reply (longer ones are cut). */
  output: 8_000,
  /** Characters of a denial's reason. */
  reason: 500,
} as const;

/** The ordered parts of a reply: its text cut where its tool calls stand. */
export function replyParts(message: Pick<Message, 'content' | 'meta'>): ReplyPart[] {
  const calls = message.meta?.toolCalls ?? [];
  const parts: ReplyPart[] = [];
  let from = 0;
  for (const call of calls) {
    const at = Math.min(Math.max(call.at, from), message.content.length);
    if (at > from) parts.push({ type: 'text', text: message.content.slice(from, at) });
    parts.push({ type: 'tool-call', ...call });
    from = at;
  }
  if (from < message.content.length) parts.push({ type: 'text', text: message.content.slice(from) });
  return parts;
}

/** The calls of a reply still waiting for a person's decision. */
export const awaitingCalls = (message: Pick<Message, 'meta'>): ToolCallPart[] =>
  (message.meta?.toolCalls ?? []).filter((call) => call.state === 'awaiting-approval');

export const ZDecideToolInput = z.object({
  messageId: ZId,
  toolCallId: z.string().min(1).max(100),
  approved: z.boolean(),
  reason: z.string().trim().max(TOOL_CALL_LIMITS.reason).optional(),
});
export type DecideToolInput = z.infer<typeof ZDecideToolInput>;
