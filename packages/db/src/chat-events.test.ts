import type { ChannelChange, Message } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import {
  type ChannelEventSource,
  channelEventFields,
  channelEventsAfter,
  type StoredChannelEvent,
} from './chat-events';
import { runNow } from './read-plan';
import { asValue } from './rows';

const message = (id: string): Message => ({
  id,
  seq: 1,
  channelId: 'c',
  authorId: null,
  author: null,
  role: 'user',
  status: 'complete',
  content: id,
  clientId: null,
  meta: null,
  createdAt: '2030-01-01T00:00:00.000Z',
  editedAt: null,
});

/** A channel's stored events in memory, and the messages that still exist; counts the page reads. */
function memorySource(changes: ChannelChange[], existing: string[]) {
  const rows: StoredChannelEvent[] = changes.map((change, i) => ({
    offset: i + 1,
    ...channelEventFields('c', change, (c) => c),
  }));
  const source = {
    pages: 0,
    page(after: number, limit: number) {
      source.pages++;
      return rows.filter((r) => r.offset > after).slice(0, limit);
    },
    messages: (ids: string[]) => ids.filter((id) => existing.includes(id)).map(message),
  } satisfies ChannelEventSource & { pages: number };
  return source;
}

describe('a channel event as stored', () => {
  it('keeps only the message id of a message change, and the whole of any other', () => {
    const encode = (change: ChannelChange) => JSON.stringify(change);
    expect(channelEventFields('c', { type: 'message.created', message: message('m1') }, encode)).toEqual({
      channelId: 'c',
      type: 'message.created',
      messageId: 'm1',
      payload: null,
    });
    expect(channelEventFields('c', { type: 'message.deleted', messageId: 'm1' }, encode)).toMatchObject({
      messageId: 'm1',
      payload: null,
    });
    expect(channelEventFields('c', { type: 'member.left', userId: 'u' }, encode)).toEqual({
      channelId: 'c',
      type: 'member.left',
      messageId: null,
      payload: '{"type":"member.left","userId":"u"}',
    });
  });
});

describe('channelEventsAfter', () => {
  const gone = message('gone');
  const changes: ChannelChange[] = [
    { type: 'message.created', message: gone },
    { type: 'message.updated', message: gone },
    { type: 'message.deleted', messageId: 'gone' },
    { type: 'message.created', message: message('kept') },
    { type: 'member.left', userId: 'u' },
  ];

  it("drops a deleted message's events and reads on to fill the page", () => {
    const source = memorySource(changes, ['kept']);
    const events = runNow(channelEventsAfter(source, 'c', 0, 2, asValue));
    expect(events.map((e) => [e.offset, e.change.type])).toEqual([
      [3, 'message.deleted'],
      [4, 'message.created'],
    ]);
    expect(source.pages).toBe(2);
  });

  it('answers a short page at the end of the stream, after one read', () => {
    const source = memorySource(changes, ['kept']);
    expect(runNow(channelEventsAfter(source, 'c', 3, 10, asValue)).map((e) => e.offset)).toEqual([4, 5]);
    expect(source.pages).toBe(1);
  });

  it('hydrates a message event with the message as it is now', () => {
    const source = memorySource(changes, ['kept']);
    const [created] = runNow(channelEventsAfter(source, 'c', 3, 1, asValue));
    expect(created?.change).toEqual({ type: 'message.created', message: message('kept') });
  });
});
