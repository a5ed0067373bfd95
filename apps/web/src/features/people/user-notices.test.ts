import type { Message } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { channelSummary } from '../chat/test-channels';
import { noticeFor } from './user-notices';

const message = (content: string): Message => ({
  id: 'm1',
  seq: 5,
  channelId: 'id-room',
  authorId: 'ada',
  author: { handle: 'ada', displayName: 'Ada' },
  role: 'user',
  status: 'complete',
  content,
  clientId: null,
  meta: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
});

const channels = [
  channelSummary('room'),
  channelSummary('dm-1', {
    kind: 'dm',
    visibility: 'private',
    people: [
      { userId: 'me', handle: 'me', displayName: 'Me' },
      { userId: 'ada', handle: 'ada', displayName: 'Ada' },
    ],
  }),
];

describe('what the user stream tells a person', () => {
  it('a mention elsewhere: who, where, an excerpt and a link to the channel', () => {
    const notice = noticeFor(
      { type: 'mention', channelId: 'id-room', message: message(`@me ${'x'.repeat(300)}`) },
      { me: 'me', channels, onScreen: null },
    );
    expect(notice).toMatchObject({ title: 'Ada mentioned you in #room', url: '#/c/room', tag: 'channel:id-room' });
    expect(notice?.body.length).toBeLessThanOrEqual(120);
  });

  it('nothing for news from the channel on screen, or for changes that only move the lists', () => {
    const mention = { type: 'mention' as const, channelId: 'id-room', message: message('@me') };
    expect(noticeFor(mention, { me: 'me', channels, onScreen: 'id-room' })).toBeNull();
    const read = { type: 'channel.read' as const, channelId: 'id-room', seq: 5, unread: 0, mentions: 0 };
    expect(noticeFor(read, { me: 'me', channels, onScreen: null })).toBeNull();
  });

  it('a direct message, an invitation by someone else and an approval each say what happened', () => {
    const direct = noticeFor(
      { type: 'direct.message', channelId: 'id-dm-1', message: message('hi') },
      { me: 'me', channels, onScreen: null },
    );
    expect(direct).toMatchObject({ title: 'Ada sent you a message', body: 'hi', url: '#/c/dm-1' });
    const { joined: _j, unread: _u, mentions: _m, readSeq: _r, people: _p, ...room } = channelSummary('room');
    const invited = noticeFor(
      { type: 'channel.joined', channel: room, by: 'ada' },
      { me: 'me', channels, onScreen: null },
    );
    expect(invited?.title).toBe('You were added to #room');
    expect(
      noticeFor({ type: 'channel.joined', channel: room, by: null }, { me: 'me', channels, onScreen: null }),
    ).toBeNull();
    const approval = noticeFor(
      { type: 'approval.requested', taskId: 't', taskTitle: 'Deploy', approvalId: 'a', action: 'push to prod' },
      { me: 'me', channels, onScreen: 'id-room' },
    );
    expect(approval).toMatchObject({ title: '“Deploy” waits for your approval', body: 'push to prod', url: '#/tasks' });
  });
});
