import type { TodoList } from '@hubbub/core';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { flattenMessages, upsertMessage } from './cache-updates';
import { ChatLive, historyKey } from './chat-live';
import { todosKey } from './query-keys';
import { testMessage } from './test-messages';
import type { HistoryData, HistoryPage, Message, StreamEnvelope } from './types';

const CH = 'c1';
const ME = 'u-me';

const msg = testMessage;

const page = (items: Message[], eventId: string, nextCursor: number | null = null): HistoryPage => ({
  items: [...items].sort((a, b) => b.seq - a.seq),
  nextCursor,
  eventId,
});

const created = (m: Message): StreamEnvelope => ({ id: `e:${m.seq}`, data: { type: 'message.created', message: m } });

function setup(first: HistoryPage) {
  const queryClient = new QueryClient();
  const live = new ChatLive(queryClient, { channelList: ['list'], members: (id) => ['members', id] });
  live.setMe(ME);
  queryClient.setQueryData<HistoryData>(historyKey(CH), { pages: [first], pageParams: [null] });
  const contents = () => flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(CH))).map((m) => m.content);
  return { queryClient, live, contents };
}

describe('applying channel events to the history cache', () => {
  it('dedupes by id: an event that repeats what the fetch returned changes nothing', () => {
    const { live, contents } = setup(page([msg(1), msg(2)], 'e:2'));
    live.handle(CH, created(msg(2)));
    live.handle(CH, created(msg(3)));
    live.handle(CH, created(msg(3)));
    expect(contents()).toEqual(['message 1', 'message 2', 'message 3']);
    expect(live.position(CH)).toBe('e:3');
  });

  it('keeps seq order when the ack of a send lands before an earlier message from the stream', () => {
    const { live, contents } = setup(page([msg(1)], 'e:1'));
    live.confirm(msg(3, { authorId: ME, content: 'mine' }));
    live.handle(CH, created(msg(2)));
    live.handle(CH, created(msg(3, { authorId: ME, content: 'mine' })));
    expect(contents()).toEqual(['message 1', 'message 2', 'mine']);
  });

  it('applies edits and deletes, and replays after a reconnect converge to the same state', () => {
    const { live, contents } = setup(page([msg(1)], 'e:1'));
    const events: StreamEnvelope[] = [
      created(msg(2)),
      { id: 'e:3', data: { type: 'message.updated', message: msg(2, { content: 'edited', editedAt: 'x' }) } },
      { id: 'e:4', data: { type: 'message.deleted', messageId: 'm1' } },
    ];
    for (const e of events) live.handle(CH, e);
    for (const e of events) live.handle(CH, e); // a replay of the same stretch
    expect(contents()).toEqual(['edited']);
  });

  it('sets the reactions of a message from message.reactions, moving the stream position; a repeat changes nothing', () => {
    const { live, queryClient } = setup(page([msg(1)], 'e:1'));
    const reactions = [{ emoji: '👍', count: 2, userIds: [ME, 'u-other'] }];
    const event: StreamEnvelope = { id: 'e:2', data: { type: 'message.reactions', messageId: 'm1', reactions } };
    live.handle(CH, event);
    live.handle(CH, event);
    expect(flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(CH)))[0]?.reactions).toEqual(reactions);
    expect(live.position(CH)).toBe('e:2');
  });

  it('replays events buffered during a history fetch onto the page the fetch returns', () => {
    const { live } = setup(page([msg(1)], 'e:1'));
    live.handle(CH, created(msg(2)));
    live.handle(CH, created(msg(3)));
    // A refetch read the channel at offset 2, but event 3 was already applied elsewhere.
    const caught = live.catchUp(CH, page([msg(1), msg(2)], 'e:2'));
    expect(caught.items.map((m) => m.seq)).toEqual([3, 2, 1]);
    expect(caught.eventId).toBe('e:3');
  });

  it('drops the pending copy of a sent message when its message.created arrives', () => {
    const { live } = setup(page([], 'e:0'));
    live.addPending({ clientId: 'k1', channelId: CH, content: 'hi', createdAt: '', status: 'sending' });
    live.handle(CH, created(msg(1, { authorId: ME, clientId: 'k1', content: 'hi' })));
    expect(live.pending.get()[CH]).toEqual([]);
  });

  it('tracks typing (not your own) and presence', () => {
    const { live } = setup(page([], 'e:0'));
    const until = new Date(Date.now() + 5000).toISOString();
    live.handle(CH, { id: 'e:0', data: { type: 'typing', userId: 'u-other', displayName: 'Other', until } });
    live.handle(CH, { id: 'e:0', data: { type: 'typing', userId: ME, displayName: 'Me', until } });
    expect(live.typing.get()[CH]?.map((t) => t.displayName)).toEqual(['Other']);
    live.handle(CH, created(msg(1)));
    expect(live.typing.get()[CH]).toEqual([]);
    live.handle(CH, { id: 'e:1', data: { type: 'presence', online: [ME] } });
    expect(live.presence.get()[CH]).toEqual([ME]);
  });
});

describe('streamed assistant replies', () => {
  it('applies deltas by position: repeats and late chunks are harmless, the final text wins', () => {
    const reply = msg(1, { role: 'assistant', authorId: null, status: 'streaming', content: '' });
    const { live, contents } = setup(page([reply], 'e:1'));
    const delta = (index: number, text: string): StreamEnvelope => ({
      id: 'e:1',
      data: { type: 'message.delta', messageId: 'm1', index, text },
    });
    live.handle(CH, delta(0, 'Hel')); // a joiner's greeting: the text so far
    live.handle(CH, delta(3, 'lo'));
    live.handle(CH, delta(3, 'lo')); // repeated
    live.handle(CH, delta(0, 'Hel')); // late
    expect(contents()).toEqual(['Hello']);
    live.handle(CH, delta(9, 'gap')); // after a gap: wait for the stored text
    expect(contents()).toEqual(['Hello']);
    live.handle(CH, { id: 'e:2', data: { type: 'message.updated', message: { ...reply, content: 'Hello there' } } });
    live.handle(CH, {
      id: 'e:3',
      data: { type: 'message.updated', message: { ...reply, status: 'complete', content: 'Hello there!' } },
    });
    live.handle(CH, delta(5, ' late')); // the reply is finished: ignored
    expect(contents()).toEqual(['Hello there!']);
  });
});

describe('a channel’s plan and its agents at work', () => {
  const plan = (updatedAt: string, status: 'pending' | 'done'): TodoList => ({
    channelId: CH,
    items: [{ id: 't1', content: 'write draft', status }],
    updatedAt,
    updatedBy: 'u-agent',
  });

  it('todo.updated sets the plan, moves the stream position, and a replayed older one changes nothing', () => {
    const { live, queryClient } = setup(page([], 'e:0'));
    const first: StreamEnvelope = {
      id: 'e:1',
      data: { type: 'todo.updated', todos: plan('2026-01-01T10:00:00Z', 'pending') },
    };
    const ticked: StreamEnvelope = {
      id: 'e:2',
      data: { type: 'todo.updated', todos: plan('2026-01-01T10:00:09Z', 'done') },
    };
    live.handle(CH, first);
    live.handle(CH, ticked);
    expect(live.position(CH)).toBe('e:2');
    live.handle(CH, first);
    expect(queryClient.getQueryData<TodoList>(todosKey(CH))?.items[0]?.status).toBe('done');
  });

  it('a reply held for approval keeps its agent on the line; its final update takes it off', () => {
    const reply = msg(1, { role: 'assistant', authorId: null, status: 'streaming', content: '' });
    const { live } = setup(page([reply], 'e:1'));
    const status = {
      type: 'agent.status' as const,
      agentId: 'u-as',
      handle: 'assistant',
      name: 'Assistant',
      messageId: 'm1',
    };
    live.handle(CH, { id: 'e:1', data: { ...status, status: 'calling', tool: 'create_task' } });
    expect(live.agentStatus.get()[CH]?.[0]).toMatchObject({ activity: 'calling', tool: 'create_task' });
    live.handle(CH, { id: 'e:1', data: { ...status, status: 'awaiting-approval' } });
    const held = { ...reply, meta: { awaitingApproval: true as const } };
    live.handle(CH, { id: 'e:2', data: { type: 'message.updated', message: held } });
    expect(live.agentStatus.get()[CH]?.[0]?.activity).toBe('awaiting-approval');
    live.handle(CH, { id: 'e:3', data: { type: 'message.updated', message: { ...reply, status: 'complete' } } });
    expect(live.agentStatus.get()[CH]).toEqual([]);
  });
});

describe('upsertMessage', () => {
  it('does not insert an update for a message older than the loaded pages', () => {
    const data: HistoryData = { pages: [page([msg(10), msg(11)], 'e:11', 10)], pageParams: [null] };
    const result = upsertMessage(data, msg(3, { content: 'old edit' }));
    expect(result.added).toBe(false);
    expect(flattenMessages(result.data).map((m) => m.seq)).toEqual([10, 11]);
  });
});
