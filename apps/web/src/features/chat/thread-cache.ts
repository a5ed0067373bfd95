import type { AppRouter } from '@hubbub/api';
import type { ChannelEvent, ThreadSummary } from '@hubbub/core';
import type { InfiniteData, QueryClient, QueryKey } from '@tanstack/react-query';
import type { inferRouterOutputs } from '@trpc/server';
import { openThreadStore } from './thread-panel-state';
import type { Message } from './types';

/**
 * Pure updates of the thread caches (message.thread pages: the root, replies
 * newest first), from the channel's stream. Idempotent like cache-updates.ts:
 * a replayed event leaves a thread as applying it once.
 */

export type ThreadPage = inferRouterOutputs<AppRouter>['message']['thread'];
/** A thread's infinite query cache: pages newest first, each page's replies newest first. */
export type ThreadData = InfiniteData<ThreadPage>;

const THREADS: QueryKey = ['hubbub', 'thread'];
export const threadKey = (rootId: string): QueryKey => [...THREADS, rootId];

/** Whether a message shows in its channel's own list: not a reply kept in its thread. */
export const inChannel = (message: Message) => !message.threadId || message.alsoInChannel === true;

/** A root with its replies' summary as the stream tells it (none: absent, to keep the object small). */
export function withThread(root: Message, thread: ThreadSummary | null): Message {
  const { thread: _old, ...rest } = root;
  return thread ? { ...rest, thread } : rest;
}

function mapPages(data: ThreadData, change: (page: ThreadPage, index: number) => ThreadPage): ThreadData {
  let changed = false;
  const pages = data.pages.map((page, i) => {
    const next = change(page, i);
    if (next !== page) changed = true;
    return next;
  });
  return changed ? { ...data, pages } : data;
}

/** The root (every page carries it) replaced by `change(root)`. */
function updateRoot(data: ThreadData, change: (root: Message) => Message): ThreadData {
  return mapPages(data, (page) => {
    const root = change(page.root);
    return root === page.root ? page : { ...page, root };
  });
}

/** One loaded reply replaced by `change(reply)`; unchanged when it is not loaded. */
function updateReply(data: ThreadData, id: string, change: (reply: Message) => Message): ThreadData {
  return mapPages(data, (page) => {
    const at = page.items.findIndex((m) => m.id === id);
    if (at === -1) return page;
    const before = page.items[at] as Message;
    const after = change(before);
    if (after === before) return page;
    const items = page.items.slice();
    items[at] = after;
    return { ...page, items };
  });
}

/** Inserts or replaces a reply; a new one goes into the newest page unless it is older than what is loaded. */
function upsertReply(data: ThreadData, reply: Message): ThreadData {
  if (data.pages.some((page) => page.items.some((m) => m.id === reply.id))) {
    return updateReply(data, reply.id, () => reply);
  }
  const last = data.pages.at(-1);
  const oldest = last?.items.at(-1)?.seq;
  if (last && last.nextCursor !== null && oldest !== undefined && reply.seq < oldest) return data;
  return mapPages(data, (page, i) =>
    i === 0 ? { ...page, items: [reply, ...page.items].sort((a, b) => b.seq - a.seq) } : page,
  );
}

function removeReply(data: ThreadData, id: string): ThreadData {
  return mapPages(data, (page) =>
    page.items.some((m) => m.id === id) ? { ...page, items: page.items.filter((m) => m.id !== id) } : page,
  );
}

/** What one channel event does to one cached thread. */
export function applyToThread(data: ThreadData | undefined, event: ChannelEvent): ThreadData | undefined {
  const rootId = data?.pages[0]?.root.id;
  if (!data || !rootId) return data;
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      if (event.message.id === rootId) return updateRoot(data, () => event.message);
      return event.message.threadId === rootId ? upsertReply(data, event.message) : data;
    case 'message.deleted':
      return removeReply(data, event.messageId);
    case 'thread.updated':
      return event.messageId === rootId ? updateRoot(data, (root) => withThread(root, event.thread)) : data;
    case 'message.reactions': {
      const set = (m: Message) => ({ ...m, reactions: event.reactions });
      return event.messageId === rootId ? updateRoot(data, set) : updateReply(data, event.messageId, set);
    }
    case 'message.delta':
      // A streamed chunk of an assistant reply in the thread, placed by its index like in the channel.
      return updateReply(data, event.messageId, (m) => {
        const current = m.content;
        if (
          m.status !== 'streaming' ||
          event.index > current.length ||
          event.index + event.text.length <= current.length
        ) {
          return m;
        }
        return { ...m, content: current.slice(0, event.index) + event.text };
      });
    default:
      return data;
  }
}

/** Applies a channel event to every cached thread (only open or recently open ones are cached). */
export function applyToThreads(queryClient: QueryClient, event: ChannelEvent): void {
  if (event.type === 'message.deleted') {
    // A root gone: its thread (replies went with it) is gone too, and so is its panel.
    queryClient.removeQueries({ queryKey: threadKey(event.messageId), exact: true });
    openThreadStore.set((open) => (open?.rootId === event.messageId ? null : open));
  }
  queryClient.setQueriesData<ThreadData>({ queryKey: THREADS }, (data) => applyToThread(data, event));
}
