import type { Channel, Reaction, ThreadSummary } from '@hubbub/core';
import { withThread } from './thread-cache';
import type { ChannelSummary, HistoryData, HistoryPage, Message } from './types';

/**
 * Pure updates of the history cache. Every function is idempotent: applying
 * the same event twice (a fetch and the stream overlap, a replay after a
 * reconnect) leaves the cache as applying it once. Messages are keyed by id.
 */

function replacePage(data: HistoryData, index: number, page: HistoryPage): HistoryData {
  const pages = data.pages.slice();
  pages[index] = page;
  return { ...data, pages };
}

/** Whether `seq` falls inside what the loaded pages cover (older pages may not be loaded, nor newer ones in a window). */
function withinLoaded(data: HistoryData, seq: number): boolean {
  const first = data.pages[0];
  // A window opened around an older message: what is newer than it waits for its own page.
  if (first && first.newerCursor != null && seq > first.newerCursor) return false;
  const last = data.pages.at(-1);
  if (!last || last.nextCursor === null) return true;
  const oldest = last.items.at(-1)?.seq;
  return oldest === undefined || seq >= oldest;
}

/**
 * Inserts or replaces a message by id. New messages go into the newest page,
 * kept in seq order (the ack of a send and the stream may arrive in either order).
 */
export function upsertMessage(
  data: HistoryData | undefined,
  message: Message,
): { data: HistoryData | undefined; added: boolean } {
  if (!data) return { data, added: false };
  for (let i = 0; i < data.pages.length; i++) {
    const page = data.pages[i] as HistoryPage;
    const at = page.items.findIndex((m) => m.id === message.id);
    if (at === -1) continue;
    const items = page.items.slice();
    items[at] = message;
    return { data: replacePage(data, i, { ...page, items }), added: false };
  }
  const first = data.pages[0];
  if (!first || !withinLoaded(data, message.seq)) return { data, added: false };
  const items = [message, ...first.items].sort((a, b) => b.seq - a.seq);
  return { data: replacePage(data, 0, { ...first, items }), added: true };
}

export function removeMessage(data: HistoryData | undefined, messageId: string): HistoryData | undefined {
  if (!data) return data;
  for (let i = 0; i < data.pages.length; i++) {
    const page = data.pages[i] as HistoryPage;
    if (!page.items.some((m) => m.id === messageId)) continue;
    return replacePage(data, i, { ...page, items: page.items.filter((m) => m.id !== messageId) });
  }
  return data;
}

/**
 * The cache with one message replaced by `change(message)`; unchanged when the
 * message is not loaded or `change` returns it as it was.
 */
function updateMessage(
  data: HistoryData | undefined,
  messageId: string,
  change: (message: Message) => Message,
): HistoryData | undefined {
  if (!data) return data;
  for (let i = 0; i < data.pages.length; i++) {
    const page = data.pages[i] as HistoryPage;
    const at = page.items.findIndex((m) => m.id === messageId);
    if (at === -1) continue;
    const before = page.items[at] as Message;
    const after = change(before);
    if (after === before) return data;
    const items = page.items.slice();
    items[at] = after;
    return replacePage(data, i, { ...page, items });
  }
  return data;
}

/** Sets a message's reactions (the stream carries them whole, so a repeat changes nothing). */
export function setReactions(
  data: HistoryData | undefined,
  messageId: string,
  reactions: Reaction[],
): HistoryData | undefined {
  return updateMessage(data, messageId, (message) => ({ ...message, reactions }));
}

/** Sets a thread root's replies summary (the stream carries it whole; null: none left). */
export function setThread(
  data: HistoryData | undefined,
  messageId: string,
  thread: ThreadSummary | null,
): HistoryData | undefined {
  return updateMessage(data, messageId, (message) => withThread(message, thread));
}

/**
 * Applies a streamed chunk of an assistant reply. `index` is where `text`
 * starts in the reply, so a repeated or late chunk changes nothing, and a
 * chunk after a gap waits for the stored text (message.updated) instead.
 */
export function applyDelta(
  data: HistoryData | undefined,
  messageId: string,
  index: number,
  text: string,
): HistoryData | undefined {
  return updateMessage(data, messageId, (message) => {
    const current = message.content;
    if (message.status !== 'streaming' || index > current.length || index + text.length <= current.length) {
      return message;
    }
    return { ...message, content: current.slice(0, index) + text };
  });
}

/** Records the stream position the cache now reflects, so a new subscription resumes from it. */
export function setPosition(data: HistoryData | undefined, eventId: string): HistoryData | undefined {
  const first = data?.pages[0];
  if (!data || !first || first.eventId === eventId) return data;
  return replacePage(data, 0, { ...first, eventId });
}

/** All loaded messages, oldest first, each once. */
export function flattenMessages(data: HistoryData | undefined): Message[] {
  if (!data) return [];
  const byId = new Map<string, Message>();
  for (const page of data.pages) for (const m of page.items) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

// ── the channel list (every channel you can see, all pages, in the server's order) ──

/** A channel's new details (channel.updated); whether you joined it is yours, not the event's. */
export function patchChannel(list: ChannelSummary[] | undefined, channel: Channel): ChannelSummary[] | undefined {
  if (!list?.some((c) => c.id === channel.id)) return list;
  return list.map((c) => (c.id === channel.id ? { ...c, ...channel } : c));
}

/**
 * Someone else joined (+1) or left (-1). Not idempotent by itself: the caller
 * applies each stored membership event once (the stream never replays past
 * its position), and the list's periodic refetch corrects any drift.
 */
export function bumpMemberCount(
  list: ChannelSummary[] | undefined,
  channelId: string,
  delta: 1 | -1,
): ChannelSummary[] | undefined {
  if (!list?.some((c) => c.id === channelId)) return list;
  return list.map((c) => (c.id === channelId ? { ...c, memberCount: Math.max(0, c.memberCount + delta) } : c));
}
