import type { Channel } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { channelSummary } from './test-channels';
import { applyUserEvent, totalUnread } from './user-event-updates';

const asChannel = (slug: string, patch: Partial<Channel> = {}): Channel => {
  const { joined: _j, unread: _u, mentions: _m, readSeq: _r, people: _p, ...channel } = channelSummary(slug);
  return { ...channel, ...patch };
};

describe('the channel list from the user stream', () => {
  const list = [channelSummary('alpha'), channelSummary('gamma')];

  it('adds a channel you joined or were invited to, in the server’s order, once', () => {
    const beta = asChannel('beta', { visibility: 'private', lastOffset: 7 });
    const once = applyUserEvent(list, { type: 'channel.joined', channel: beta, by: 'ada' });
    expect(once?.map((c) => c.slug)).toEqual(['alpha', 'beta', 'gamma']);
    expect(once?.[1]).toMatchObject({ joined: true, unread: 0, readSeq: 7 });
    expect(applyUserEvent(once, { type: 'channel.joined', channel: beta, by: 'ada' })).toEqual(once);
  });

  it('drops a private channel you left or were removed from; a public one stays, not joined', () => {
    const withPrivate = [...list, channelSummary('zeta', { visibility: 'private', unread: 3 })];
    const left = applyUserEvent(withPrivate, { type: 'channel.left', channelId: 'id-zeta', by: 'ada' });
    expect(left?.map((c) => c.slug)).toEqual(['alpha', 'gamma']);
    const leftPublic = applyUserEvent(list, { type: 'channel.left', channelId: 'id-alpha', by: null });
    expect(leftPublic?.[0]).toMatchObject({ slug: 'alpha', joined: false, unread: 0 });
  });

  it('lists a new public channel for everyone and patches a known one, keeping its counts', () => {
    const added = applyUserEvent(list, { type: 'channel.updated', channel: asChannel('beta') });
    expect(added?.[1]).toMatchObject({ slug: 'beta', joined: false });
    const counted = [channelSummary('alpha', { unread: 2 })];
    const archived = applyUserEvent(counted, {
      type: 'channel.updated',
      channel: asChannel('alpha', { archivedAt: '2025-01-01T00:00:00.000Z' }),
    });
    expect(archived?.[0]).toMatchObject({ unread: 2, archivedAt: '2025-01-01T00:00:00.000Z' });
    expect(
      applyUserEvent(list, { type: 'channel.updated', channel: asChannel('secret', { visibility: 'private' }) }),
    ).toBe(list);
  });

  it('takes unread counts as they come and a read position only forward', () => {
    const counted = applyUserEvent(list, {
      type: 'channel.unread',
      channelId: 'id-alpha',
      unread: 4,
      mentions: 1,
      lastMessageAt: '2025-01-01T00:00:00.000Z',
    });
    expect(totalUnread(counted)).toBe(4);
    const read = applyUserEvent(counted, {
      type: 'channel.read',
      channelId: 'id-alpha',
      seq: 9,
      unread: 0,
      mentions: 0,
    });
    expect(read?.[0]).toMatchObject({ unread: 0, mentions: 0, readSeq: 9 });
    expect(applyUserEvent(read, { type: 'channel.read', channelId: 'id-alpha', seq: 5, unread: 3, mentions: 0 })).toBe(
      read,
    );
    expect(totalUnread([channelSummary('x', { joined: false, unread: 5 })])).toBe(0);
  });
});
