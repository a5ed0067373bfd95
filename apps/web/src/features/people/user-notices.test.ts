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

  it('a tool call waiting for approval elsewhere: which agent, which tool, and a link to the reply', () => {
    const requested = {
      type: 'tool.approval.requested' as const,
      channelId: 'id-room',
      messageId: 'm-reply',
      toolCallId: 'call-1',
      toolName: 'create_task',
      agentHandle: 'assistant',
    };
    const notice = noticeFor(requested, { me: 'me', channels, onScreen: null });
    expect(notice).toMatchObject({
      title: '@assistant waits for your approval to run create_task',
      body: 'In #room: approve or deny it on the reply.',
      url: '#/c/room/m/m-reply',
      tag: 'tool:call-1',
      channelId: 'id-room',
    });
    // In the channel on screen the card itself asks; the decision tells nobody anything new.
    expect(noticeFor(requested, { me: 'me', channels, onScreen: 'id-room' })).toBeNull();
    const decided = {
      type: 'tool.approval.decided' as const,
      channelId: 'id-room',
      messageId: 'm-reply',
      toolCallId: 'call-1',
      approved: true,
      decidedBy: 'ada',
    };
    expect(noticeFor(decided, { me: 'me', channels, onScreen: null })).toBeNull();
  });
});
