import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { bumpMemberCount, patchChannel } from './cache-updates';
import { fetchAllChannels } from './channel-list';
import { ChatLive } from './chat-live';
import { channelsKey } from './query-keys';
import { channelSummary } from './test-channels';
import type { ChannelPage, ChannelSummary } from './types';

const channel = channelSummary;

/** A server of `total` channels answering pages of `size`, recording the cursors it was asked for. */
function pagedServer(total: number, size: number) {
  const all = Array.from({ length: total }, (_, i) => channel(`c${String(i).padStart(3, '0')}`));
  const asked: (string | null)[] = [];
  const fetchPage = async (cursor: string | null): Promise<ChannelPage> => {
    asked.push(cursor);
    const start = cursor ? all.findIndex((c) => c.slug === cursor) + 1 : 0;
    const items = all.slice(start, start + size);
    return { items, nextCursor: items.length === size ? (items.at(-1)?.slug ?? null) : null };
  };
  return { all, asked, fetchPage };
}

describe('fetchAllChannels', () => {
  it('follows nextCursor to the last page and keeps the server’s order', async () => {
    const server = pagedServer(250, 100);
    const list = await fetchAllChannels(server.fetchPage);
    expect(list.map((c) => c.slug)).toEqual(server.all.map((c) => c.slug));
    expect(server.asked).toEqual([null, 'c099', 'c199']);
  });

  it('asks one more (empty) page when the last page is exactly full', async () => {
    const server = pagedServer(200, 100);
    expect(await fetchAllChannels(server.fetchPage)).toHaveLength(200);
    expect(server.asked).toEqual([null, 'c099', 'c199']);
  });

  it('stops at a repeated cursor or at the page cap instead of looping', async () => {
    const stuck = async (): Promise<ChannelPage> => ({ items: [channel('a')], nextCursor: 'same' });
    expect(await fetchAllChannels(stuck)).toEqual([channel('a')]);
    let n = 0;
    const endless = async (): Promise<ChannelPage> => ({ items: [channel(`x${n}`)], nextCursor: `cursor-${n++}` });
    expect(await fetchAllChannels(endless, 5)).toHaveLength(5);
  });

  it('lists a channel once when it moved between two pages (archived while paging)', async () => {
    const pages: ChannelPage[] = [
      { items: [channel('a'), channel('b')], nextCursor: '0:b' },
      { items: [channel('c'), channel('b', { archivedAt: '2024-02-01T00:00:00.000Z' })], nextCursor: null },
    ];
    const list = await fetchAllChannels(async () => pages.shift() as ChannelPage);
    expect(list.map((c) => [c.slug, c.archivedAt])).toEqual([
      ['a', null],
      ['b', '2024-02-01T00:00:00.000Z'],
      ['c', null],
    ]);
  });
});

describe('channel list reducers', () => {
  it('patchChannel replaces the details and keeps whether you joined; twice is once', () => {
    const list = [channel('general'), channel('random', { joined: false })];
    const { joined: _, ...renamed } = channel('random', { joined: false, topic: 'anything goes' });
    const once = patchChannel(list, renamed);
    expect(once?.[1]).toEqual(channel('random', { joined: false, topic: 'anything goes' }));
    expect(patchChannel(once, renamed)).toEqual(once);
    expect(patchChannel(list, { ...renamed, id: 'unknown' })).toBe(list);
    expect(patchChannel(undefined, renamed)).toBeUndefined();
  });

  it('bumpMemberCount counts others joining and leaving, never below zero', () => {
    const list = [channel('general', { memberCount: 1 })];
    expect(bumpMemberCount(list, 'id-general', 1)?.[0]?.memberCount).toBe(2);
    expect(bumpMemberCount(bumpMemberCount(list, 'id-general', -1), 'id-general', -1)?.[0]?.memberCount).toBe(0);
    expect(bumpMemberCount(list, 'id-unknown', 1)).toBe(list);
  });

  it('live events update the flat channel list the sidebar reads', () => {
    const queryClient = new QueryClient();
    const live = new ChatLive(queryClient, { channelList: channelsKey, members: (id) => ['members', id] });
    live.setMe('u-me');
    queryClient.setQueryData<ChannelSummary[]>(channelsKey, [channel('general'), channel('random')]);
    const { joined: _, ...archived } = channel('random', { archivedAt: '2024-02-01T00:00:00.000Z' });
    live.handle('id-random', { id: 'e:1', data: { type: 'channel.updated', channel: archived } });
    live.handle('id-general', {
      id: 'e:2',
      data: {
        type: 'member.joined',
        member: {
          userId: 'u-other',
          handle: 'other',
          displayName: 'Other',
          role: 'member',
          joinedAt: '2024-01-02T00:00:00.000Z',
        },
      },
    });
    const list = queryClient.getQueryData<ChannelSummary[]>(channelsKey);
    expect(list?.map((c) => [c.slug, c.memberCount, c.archivedAt, c.joined])).toEqual([
      ['general', 2, null, true],
      ['random', 1, '2024-02-01T00:00:00.000Z', true],
    ]);
  });
});
