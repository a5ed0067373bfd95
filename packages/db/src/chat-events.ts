import type { ChannelChange, Message, StreamEvent } from '@hubbub/core';
import { type ReadPlan, read } from './read-plan';
import type { Json } from './rows';

/**
 * The channel stream's stored form, for both dialects. Message events keep
 * only the message id and take the message's current state on replay, so an
 * edit or delete never leaves an old copy of the text behind.
 */

/** A stored channel event, as either dialect reads it. */
export interface StoredChannelEvent {
  offset: number;
  type: string;
  messageId: string | null;
  payload: unknown;
}

/** What a change is stored as; `encode` stores JSON the dialect's way. */
export function channelEventFields<Payload>(
  channelId: string,
  change: ChannelChange,
  encode: (change: ChannelChange) => Payload,
) {
  const messageId =
    change.type === 'message.created' || change.type === 'message.updated'
      ? change.message.id
      : change.type === 'message.deleted' || change.type === 'message.reactions' || change.type === 'thread.updated'
        ? change.messageId
        : null;
  return { channelId, type: change.type, messageId, payload: messageId ? null : encode(change) };
}

/**
 * A stored channel event as a change. Message events take the message's
 * current state; one whose message is gone since is dropped (its delete follows).
 */
export function hydrateChannelEvent(
  row: Omit<StoredChannelEvent, 'offset'>,
  current: Map<string, Message>,
  json: Json,
): ChannelChange | null {
  if (row.type === 'message.deleted' && row.messageId) return { type: 'message.deleted', messageId: row.messageId };
  if (row.type === 'message.created' || row.type === 'message.updated') {
    const message = row.messageId ? current.get(row.messageId) : undefined;
    return message ? { type: row.type, message } : null;
  }
  if (row.type === 'message.reactions') {
    // Its reactions as they are now (a later change of them follows it).
    const message = row.messageId ? current.get(row.messageId) : undefined;
    return message ? { type: row.type, messageId: message.id, reactions: message.reactions ?? [] } : null;
  }
  if (row.type === 'thread.updated') {
    // Its replies as they are now, like reactions.
    const message = row.messageId ? current.get(row.messageId) : undefined;
    return message ? { type: row.type, messageId: message.id, thread: message.thread ?? null } : null;
  }
  return (json(row.payload) as ChannelChange | null) ?? null;
}

/** Where a replay reads a channel's events and messages: one read transaction of either dialect. */
export interface ChannelEventSource {
  /** Stored events after `after`, oldest first, at most `limit`. */
  page(after: number, limit: number): StoredChannelEvent[] | Promise<StoredChannelEvent[]>;
  /** The messages with these ids as they are now, with their reactions (deleted ones missing). */
  messages(ids: string[]): Message[] | Promise<Message[]>;
}

/**
 * A channel's events after `after`, at most `limit`, hydrated. Events of
 * deleted messages are dropped, so it reads on: a short page still means
 * "end of stream".
 */
export function* channelEventsAfter(
  source: ChannelEventSource,
  channelId: string,
  after: number,
  limit: number,
  json: Json,
): ReadPlan<StreamEvent[]> {
  const events: StreamEvent[] = [];
  let from = after;
  while (events.length < limit) {
    const want = limit - events.length;
    const rows = yield* read(source.page(from, want));
    const ids = rows.flatMap((r) => (r.messageId && r.type !== 'message.deleted' ? [r.messageId] : []));
    const current = new Map<string, Message>();
    if (ids.length > 0) {
      for (const message of yield* read(source.messages([...new Set(ids)]))) current.set(message.id, message);
    }
    for (const row of rows) {
      const change = hydrateChannelEvent(row, current, json);
      if (change) events.push({ channelId, offset: row.offset, change });
    }
    if (rows.length < want) break;
    from = rows.at(-1)?.offset ?? from;
  }
  return events;
}
