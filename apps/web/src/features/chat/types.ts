import type { AppRouter } from '@hubbub/api';
import type { Attachment, ChannelEvent, Message } from '@hubbub/core';
import type { InfiniteData } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';

type Outputs = inferRouterOutputs<AppRouter>;

export type { ChannelEvent, Message };
export type HistoryPage = Outputs['message']['history'];
/** The history infinite query's cache: pages newest first, each page's items newest first. */
export type HistoryData = InfiniteData<HistoryPage>;
/** One page of channel.list: at most 100 channels, and where the next page starts (null: this was the last). */
export type ChannelPage = Outputs['channel']['list'];
export type ChannelSummary = ChannelPage['items'][number];
export type ChannelMember = Outputs['channel']['members'][number];

/** What channel.onEvent yields: every event is tracked, so it always has an id. */
export interface StreamEnvelope {
  id: string;
  data: ChannelEvent;
}

/** A message typed here and not yet confirmed by the server. */
export interface PendingMessage {
  clientId: string;
  channelId: string;
  content: string;
  /** Uploaded files it carries (their uploads are done: only their ids go with the send). */
  attachments?: Attachment[];
  createdAt: string;
  status: 'sending' | 'failed';
  error?: string;
}

export interface TypingEntry {
  userId: string;
  displayName: string;
  /** Local clock time (ms) after which the notice is stale. */
  expiresAt: number;
}

/** Stored event types: they move the stream position; the others are ephemeral. */
export const STORED_EVENTS = new Set<ChannelEvent['type']>([
  'message.created',
  'message.updated',
  'message.deleted',
  'message.reactions',
  'thread.updated',
  'member.joined',
  'member.left',
  'channel.updated',
  'todo.updated',
]);
