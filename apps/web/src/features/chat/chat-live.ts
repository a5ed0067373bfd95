import type { TodoList } from '@hubbub/core';
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { RecentEvents } from '../../lib/recent-events';
import { createStore } from '../../lib/store';
import { type AgentStatusState, applyAgentStatus, replyEnded } from '../agents/agent-status';
import {
  applyDelta,
  bumpMemberCount,
  patchChannel,
  removeMessage,
  setPosition,
  setReactions,
  setThread,
  upsertMessage,
} from './cache-updates';
import { todosKey } from './query-keys';
import { applyToThread, applyToThreads, inChannel, type ThreadData, type ThreadPage, threadKey } from './thread-cache';
import { newerTodos } from './todo-rules';
import {
  type ChannelEvent,
  type ChannelSummary,
  type HistoryData,
  type HistoryPage,
  type Message,
  type PendingMessage,
  STORED_EVENTS,
  type StreamEnvelope,
  type TypingEntry,
} from './types';

export const historyKey = (channelId: string): QueryKey => ['hubbub', 'history', channelId];

export interface LiveKeys {
  /** Every channel you can see, as one flat list (all pages of channel.list). */
  channelList: QueryKey;
  members(channelId: string): QueryKey;
}

/** Enough to cover the events that arrive while one history page is in flight. */
const BUFFER_SIZE = 500;
const TYPING_FALLBACK_MS = 5000;

/**
 * Applies a session's channel streams to the query cache and keeps the live
 * bits that are not server data: typing, presence, unsent messages. (Unread
 * counts are server data: channel.list and the user stream.) One instance per
 * signed-in session.
 */
export class ChatLive {
  readonly typing = createStore<Record<string, TypingEntry[]>>({});
  readonly presence = createStore<Record<string, string[]>>({});
  readonly pending = createStore<Record<string, PendingMessage[]>>({});
  readonly streamErrors = createStore<Record<string, string | undefined>>({});
  /** Per channel, the agents thinking there (agent.status signals). */
  readonly agentStatus = createStore<AgentStatusState>({});

  private me: string | null = null;
  /** Recent stored events per channel, to replay onto a history page fetched while they arrived. */
  private readonly recent = new Map<string, RecentEvents<StreamEnvelope>>();

  constructor(
    private readonly queryClient: QueryClient,
    private readonly keys: LiveKeys,
  ) {}

  setMe(userId: string | null) {
    this.me = userId;
  }

  setStreamError(channelId: string, message: string | undefined) {
    if (this.streamErrors.get()[channelId] === message) return;
    this.streamErrors.set((e) => ({ ...e, [channelId]: message }));
  }

  /** The stream position the cached history reflects (null before the first page loads). */
  position(channelId: string): string | null {
    return this.queryClient.getQueryData<HistoryData>(historyKey(channelId))?.pages[0]?.eventId ?? null;
  }

  /**
   * Called with a freshly fetched newest page: replays the buffered events the
   * page does not include yet (those after its eventId), closing the window
   * between the read and the moment the page lands in the cache.
   */
  catchUp(channelId: string, page: HistoryPage): HistoryPage {
    const missed = this.recent.get(channelId)?.after(page.eventId) ?? [];
    if (missed.length === 0) return page;
    let data: HistoryData | undefined = { pages: [page], pageParams: [null] };
    for (const envelope of missed) data = this.applyToHistory(data, envelope).data;
    return data?.pages[0] ?? page;
  }

  /** A freshly fetched first page of a thread, with the buffered events after it applied (as catchUp). */
  catchUpThread(page: ThreadPage): ThreadPage {
    const missed = this.recent.get(page.root.channelId)?.after(page.eventId) ?? [];
    let data: ThreadData | undefined = { pages: [page], pageParams: [null] };
    for (const envelope of missed) data = applyToThread(data, envelope.data);
    return data?.pages[0] ?? page;
  }

  /** Applies one event from channel.onEvent. */
  handle(channelId: string, envelope: StreamEnvelope) {
    const event = envelope.data;
    if (STORED_EVENTS.has(event.type)) this.remember(channelId, envelope);

    if (event.type === 'reset') {
      // The position we resumed from is void (server reset or history trimmed): start over.
      this.recent.delete(channelId);
      void this.queryClient.resetQueries({ queryKey: historyKey(channelId) });
      void this.queryClient.invalidateQueries({ queryKey: this.keys.members(channelId) });
      void this.queryClient.invalidateQueries({ queryKey: todosKey(channelId) });
      return;
    }

    // Open threads follow their replies (and their root) from the same stream.
    if (STORED_EVENTS.has(event.type) || event.type === 'message.delta') applyToThreads(this.queryClient, event);

    // Typing and presence never touch the history; skip the cache write for them.
    if (STORED_EVENTS.has(event.type) || event.type === 'message.delta') {
      this.queryClient.setQueryData<HistoryData>(
        historyKey(channelId),
        (data) => this.applyToHistory(data, envelope).data,
      );
    }

    switch (event.type) {
      case 'message.created':
        this.onMessageCreated(channelId, event.message);
        break;
      case 'member.joined':
      case 'member.left':
        this.onMembership(channelId, event);
        break;
      case 'channel.updated':
        this.queryClient.setQueryData<ChannelSummary[]>(this.keys.channelList, (list) =>
          patchChannel(list, event.channel),
        );
        break;
      case 'typing':
        if (event.userId !== this.me) this.onTyping(channelId, event);
        break;
      case 'presence':
        this.presence.set((p) => ({ ...p, [channelId]: event.online }));
        break;
      case 'todo.updated':
        // The event carries the whole plan: the newer copy stays (a read still on its way may be older).
        this.queryClient.setQueryData<TodoList>(todosKey(channelId), (todos) => newerTodos(todos, event.todos));
        break;
      case 'agent.status':
        this.agentStatus.set((s) => applyAgentStatus(s, channelId, event));
        break;
      case 'message.updated':
        if (event.message.status !== 'streaming') {
          this.agentStatus.set((s) => replyEnded(s, channelId, event.message.id));
        }
        break;
    }
  }

  /** The pure part: what an event does to the history cache. */
  private applyToHistory(
    data: HistoryData | undefined,
    envelope: StreamEnvelope,
  ): { data: HistoryData | undefined; added: boolean } {
    const event = envelope.data;
    let result: { data: HistoryData | undefined; added: boolean } = { data, added: false };
    switch (event.type) {
      case 'message.created':
      case 'message.updated':
        // A reply kept in its thread is not part of the channel's list.
        if (inChannel(event.message)) result = upsertMessage(data, event.message);
        break;
      case 'message.deleted':
        result = { data: removeMessage(data, event.messageId), added: false };
        break;
      case 'message.reactions':
        result = { data: setReactions(data, event.messageId, event.reactions), added: false };
        break;
      case 'thread.updated':
        result = { data: setThread(data, event.messageId, event.thread), added: false };
        break;
      case 'message.delta':
        result = { data: applyDelta(data, event.messageId, event.index, event.text), added: false };
        break;
    }
    if (STORED_EVENTS.has(event.type)) result.data = setPosition(result.data, envelope.id);
    return result;
  }

  private remember(channelId: string, envelope: StreamEnvelope) {
    let recent = this.recent.get(channelId);
    if (!recent) {
      recent = new RecentEvents(BUFFER_SIZE);
      this.recent.set(channelId, recent);
    }
    recent.remember(envelope.id, envelope);
  }

  private onMessageCreated(channelId: string, message: Message) {
    if (message.clientId) this.removePending(channelId, message.clientId);
    if (message.authorId) this.stopTyping(channelId, message.authorId);
  }

  private onMembership(channelId: string, event: Extract<ChannelEvent, { type: 'member.joined' | 'member.left' }>) {
    const userId = event.type === 'member.joined' ? event.member.userId : event.userId;
    // Members change rarely: refetching the list (only where it is on screen) is simpler than patching it.
    void this.queryClient.invalidateQueries({ queryKey: this.keys.members(channelId) });
    if (userId === this.me) {
      void this.queryClient.invalidateQueries({ queryKey: this.keys.channelList });
      return;
    }
    const delta = event.type === 'member.joined' ? 1 : -1;
    this.queryClient.setQueryData<ChannelSummary[]>(this.keys.channelList, (list) =>
      bumpMemberCount(list, channelId, delta),
    );
  }

  private onTyping(channelId: string, event: Extract<ChannelEvent, { type: 'typing' }>) {
    // `until` is server time; a skewed local clock must not hide the notice at once or keep it forever.
    const left = Date.parse(event.until) - Date.now();
    const expiresAt = Date.now() + (left > 0 && left <= 10_000 ? left : TYPING_FALLBACK_MS);
    this.typing.set((t) => {
      const others = (t[channelId] ?? []).filter((e) => e.userId !== event.userId);
      return { ...t, [channelId]: [...others, { userId: event.userId, displayName: event.displayName, expiresAt }] };
    });
  }

  private stopTyping(channelId: string, userId: string) {
    const list = this.typing.get()[channelId];
    if (!list?.some((e) => e.userId === userId)) return;
    this.typing.set((t) => ({ ...t, [channelId]: list.filter((e) => e.userId !== userId) }));
  }

  // ── unsent messages ──

  addPending(message: PendingMessage) {
    this.pending.set((p) => ({ ...p, [message.channelId]: [...(p[message.channelId] ?? []), message] }));
  }

  updatePending(channelId: string, clientId: string, patch: Partial<PendingMessage>) {
    this.pending.set((p) => ({
      ...p,
      [channelId]: (p[channelId] ?? []).map((m) => (m.clientId === clientId ? { ...m, ...patch } : m)),
    }));
  }

  removePending(channelId: string, clientId: string) {
    const list = this.pending.get()[channelId];
    if (!list?.some((m) => m.clientId === clientId)) return;
    this.pending.set((p) => ({ ...p, [channelId]: list.filter((m) => m.clientId !== clientId) }));
  }

  /** The server's answer to a send or an edit: same upsert as the stream's copy, so whichever comes second is a no-op. */
  confirm(message: Message) {
    if (message.threadId) {
      this.queryClient.setQueryData<ThreadData>(threadKey(message.threadId), (data) =>
        applyToThread(data, { type: 'message.updated', message }),
      );
      if (!inChannel(message)) return;
    }
    this.queryClient.setQueryData<HistoryData>(
      historyKey(message.channelId),
      (data) => upsertMessage(data, message).data,
    );
    if (message.clientId) this.removePending(message.channelId, message.clientId);
  }

  confirmDeleted(channelId: string, messageId: string) {
    applyToThreads(this.queryClient, { type: 'message.deleted', messageId });
    this.queryClient.setQueryData<HistoryData>(historyKey(channelId), (data) => removeMessage(data, messageId));
  }
}
