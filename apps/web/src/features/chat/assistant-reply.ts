import type { ReplyVersion, User } from '@hubbub/core';
import type { Message } from './types';

/**
 * Pure rules for showing an assistant reply: who may stop or regenerate it,
 * what its state is called, its place in line, its versions, and the
 * discreet model/usage line.
 */

export type ReplyState = 'waiting' | 'thinking' | 'writing' | 'awaiting-approval' | 'complete' | 'stopped' | 'failed';

export function isAssistantReply(message: Pick<Message, 'role'>): boolean {
  return message.role === 'assistant';
}

/**
 * In line for the model is "waiting"; held until a person decides on a tool call is "awaiting
 * approval"; streaming with nothing written yet is "thinking"; the rest follows the stored status.
 */
export function replyState(message: Pick<Message, 'status' | 'content' | 'meta'>): ReplyState {
  switch (message.status) {
    case 'streaming':
      if (message.meta?.queuePosition) return 'waiting';
      if (message.meta?.awaitingApproval) return 'awaiting-approval';
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

/** The person who asked (or an admin), if they may post in the channel, may regenerate a reply once it stopped. */
export function canRegenerateReply(
  message: Pick<Message, 'role' | 'status' | 'meta'>,
  me: Pick<User, 'id' | 'role'>,
  canPost: boolean,
): boolean {
  if (!canPost || message.role !== 'assistant' || message.status === 'streaming') return false;
  return me.role === 'admin' || message.meta?.requestedBy === me.id;
}

const ordinalRules = new Intl.PluralRules('en-US', { type: 'ordinal' });
const ordinalSuffix = { one: 'st', two: 'nd', few: 'rd', other: 'th', zero: 'th', many: 'th' } as const;

/** 1st, 2nd, 3rd, 4th, 11th, 21st… */
export function ordinal(n: number): string {
  return `${n}${ordinalSuffix[ordinalRules.select(n)]}`;
}

/** "Waiting for the model… (3rd in line)"; the one about to start is "next in line". */
export function waitingText(position: number): string {
  return `Waiting for the model… (${position <= 1 ? 'next' : ordinal(position)} in line)`;
}

/** One text of a reply as shown: its earlier versions, then its current text. */
export type ShownVersion = Omit<ReplyVersion, 'status'> & { status: Message['status'] };

/** A reply's versions, oldest first: the kept earlier ones, and last its current (possibly streaming) text. */
export function replyVersions(message: Pick<Message, 'content' | 'status' | 'meta' | 'createdAt'>): ShownVersion[] {
  const current: ShownVersion = {
    text: message.content,
    at: message.meta?.regeneratedAt ?? message.createdAt,
    status: message.status,
    ...(message.meta?.model ? { model: message.meta.model } : {}),
  };
  return [...(message.meta?.versions ?? []), current];
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

/** A version the reader flipped to, and which text was the newest then (a Regenerate makes a new one). */
export interface VersionPick {
  index: number;
  newestAt: string;
}

/**
 * Which version to show: the one picked, while the newest text is the one it
 * was picked beside; otherwise (by default, and after any Regenerate) the newest.
 */
export function shownVersionIndex(pick: VersionPick | null, versions: Pick<ShownVersion, 'at'>[]): number {
  const newest = versions.length - 1;
  if (pick && pick.newestAt === versions[newest]?.at && pick.index >= 0 && pick.index < newest) return pick.index;
  return newest;
}
