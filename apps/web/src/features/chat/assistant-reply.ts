import type { User } from '@hubbub/core';
import type { Message } from './types';

/**
 * Pure rules for showing an assistant reply: who may stop it, what its
 * state is called, and the discreet model/usage line.
 */

export type ReplyState = 'thinking' | 'writing' | 'complete' | 'stopped' | 'failed';

export function isAssistantReply(message: Pick<Message, 'role'>): boolean {
  return message.role === 'assistant';
}

/** Streaming with nothing written yet is "thinking"; the rest follows the stored status. */
export function replyState(message: Pick<Message, 'status' | 'content'>): ReplyState {
  switch (message.status) {
    case 'streaming':
      return message.content ? 'writing' : 'thinking';
    case 'cancelled':
      return 'stopped';
    case 'failed':
      return 'failed';
    default:
      return 'complete';
  }
}

/** The server lets the person who asked, or an admin, stop a reply; nobody else sees the button. */
export function canStopReply(
  message: Pick<Message, 'role' | 'status' | 'meta'>,
  me: Pick<User, 'id' | 'role'>,
): boolean {
  if (message.role !== 'assistant' || message.status !== 'streaming') return false;
  return me.role === 'admin' || message.meta?.requestedBy === me.id;
}

/** Anyone who may post in the channel may regenerate a reply once it stopped streaming. */
export function canRegenerateReply(message: Pick<Message, 'role' | 'status'>, canPost: boolean): boolean {
  return canPost && message.role === 'assistant' && message.status !== 'streaming';
}

const tokenFormat = new Intl.NumberFormat('en-US');

/** "hubbub-offline-1 · 57 tokens": the model and, once known, what the reply used. */
export function usageLine(meta: Message['meta']): string | null {
  if (!meta) return null;
  const parts: string[] = [];
  if (meta.model) parts.push(meta.model);
  else if (meta.provider) parts.push(meta.provider);
  if (typeof meta.tokenCount === 'number' && meta.tokenCount >= 0) {
    parts.push(`${tokenFormat.format(meta.tokenCount)} ${meta.tokenCount === 1 ? 'token' : 'tokens'}`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** Why a reply failed, as a sentence (the server's reason when it gave one). */
export function failureReason(meta: Message['meta']): string {
  const reason = meta?.error?.trim();
  if (!reason) return 'The assistant could not finish this reply.';
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1);
  return /[.!?…]$/.test(sentence) ? sentence : `${sentence}.`;
}
