import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { flattenMessages } from './cache-updates';
import { ChatLive, historyKey } from './chat-live';
import { testMessage } from './test-messages';
import { applyToThread, type ThreadData, type ThreadPage, threadKey } from './thread-cache';
import { openThreadStore } from './thread-panel-state';
import type { HistoryData, Message, StreamEnvelope } from './types';

const CH = 'c1';
const ROOT = 'm1';

const msg = (seq: number, patch: Partial<Message> = {}) =>
  testMessage(seq, { authorId: 'u-bob', author: { handle: 'bob', displayName: 'Bob' }, ...patch });
const reply = (seq: number, patch: Partial<Message> = {}) => msg(seq, { threadId: ROOT, ...patch });
const summary = (replyCount: number) => ({ replyCount, lastReplyAt: '2024-01-01T12:00:00.000Z', repliers: ['u-bob'] });

const threadPage = (items: Message[], nextCursor: number | null = null): ThreadPage => ({
  root: msg(1),
  items: [...items].sort((a, b) => b.seq - a.seq),
  nextCursor,
  eventId: 'e:1',
});
const data = (...pages: ThreadPage[]): ThreadData => ({ pages, pageParams: pages.map(() => null) });
const ids = (d: ThreadData | undefined) => d?.pages.flatMap((p) => p.items.map((m) => m.id));

describe('thread cache updates', () => {
  it('adds a reply of this thread once (a replay changes nothing), and no other thread’s', () => {
    const once = applyToThread(data(threadPage([reply(2)])), { type: 'message.created', message: reply(4) });
    expect(ids(once)).toEqual(['m4', 'm2']);
    expect(applyToThread(once, { type: 'message.created', message: reply(4) })).toEqual(once);
    const elsewhere = msg(5, { threadId: 'm3' });
    expect(applyToThread(once, { type: 'message.created', message: elsewhere })).toBe(once);
  });

  it('keeps a reply older than the loaded pages out (it comes with its page)', () => {
    const loaded = data(threadPage([reply(10), reply(11)], 10));
    expect(applyToThread(loaded, { type: 'message.created', message: reply(3) })).toBe(loaded);
  });

  it('sets the root’s summary from thread.updated, and takes it away when none are left', () => {
    const counted = applyToThread(data(threadPage([])), {
      type: 'thread.updated',
      messageId: ROOT,
      thread: summary(2),
    });
    expect(counted?.pages[0]?.root.thread).toEqual(summary(2));
    const none = applyToThread(counted, { type: 'thread.updated', messageId: ROOT, thread: null });
    expect(none?.pages[0]?.root).not.toHaveProperty('thread');
  });

  it('removes a deleted reply and streams an assistant reply’s text by its index', () => {
    const start = data(threadPage([reply(2), reply(3, { role: 'assistant', status: 'streaming', content: 'Hel' })]));
    const grown = applyToThread(start, { type: 'message.delta', messageId: 'm3', index: 3, text: 'lo' });
    expect(grown?.pages[0]?.items.find((m) => m.id === 'm3')?.content).toBe('Hello');
    expect(applyToThread(grown, { type: 'message.delta', messageId: 'm3', index: 3, text: 'lo' })).toBe(grown);
    expect(ids(applyToThread(grown, { type: 'message.deleted', messageId: 'm2' }))).toEqual(['m3']);
  });
});

describe('ChatLive with threads', () => {
  function setup() {
    const queryClient = new QueryClient();
    const live = new ChatLive(queryClient, { channelList: ['list'], members: (id) => ['members', id] });
    const history: HistoryData = { pages: [{ items: [msg(1)], nextCursor: null, eventId: 'e:1' }], pageParams: [null] };
    queryClient.setQueryData<HistoryData>(historyKey(CH), history);
    queryClient.setQueryData<ThreadData>(threadKey(ROOT), data(threadPage([])));
    return { queryClient, live };
  }
  const event = (id: number, data: StreamEnvelope['data']): StreamEnvelope => ({ id: `e:${id}`, data });

  it('puts a reply in its thread, not in the channel, unless it is also sent to the channel; counts live', () => {
    const { queryClient, live } = setup();
    live.handle(CH, event(2, { type: 'message.created', message: reply(2) }));
    live.handle(CH, event(3, { type: 'thread.updated', messageId: ROOT, thread: summary(1) }));
    live.handle(CH, event(4, { type: 'message.created', message: reply(4, { alsoInChannel: true }) }));
    const channel = flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(CH)));
    expect(channel.map((m) => m.id)).toEqual(['m1', 'm4']);
    expect(channel[0]?.thread).toEqual(summary(1));
    expect(ids(queryClient.getQueryData<ThreadData>(threadKey(ROOT)))).toEqual(['m4', 'm2']);
  });

  it('a thread page fetched while replies arrived catches up from the buffered events', () => {
    const { live } = setup();
    live.handle(CH, event(2, { type: 'message.created', message: reply(2) }));
    const fetched = { ...threadPage([]), eventId: 'e:1' };
    expect(live.catchUpThread(fetched).items.map((m) => m.id)).toEqual(['m2']);
  });

  it('a deleted root drops its cached thread and closes its panel', () => {
    const { queryClient, live } = setup();
    openThreadStore.set({ channelId: CH, rootId: ROOT, opener: null });
    live.handle(CH, event(2, { type: 'message.deleted', messageId: ROOT }));
    expect(queryClient.getQueryData(threadKey(ROOT))).toBeUndefined();
    expect(openThreadStore.get()).toBeNull();
  });
});
