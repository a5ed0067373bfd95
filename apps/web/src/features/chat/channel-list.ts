import { useQuery } from '@tanstack/react-query';
import { useTRPCClient } from '../../trpc';
import { channelsKey } from './query-keys';
import type { ChannelPage, ChannelSummary } from './types';

/**
 * Every channel you can see, all pages of channel.list joined in the
 * server's order (open channels by slug, then archived ones). The sidebar
 * needs all the channels you are in and the live reducers patch one flat
 * list, so the pages live under one key as one array, not as an infinite query.
 */

/** A server that keeps answering a cursor would otherwise keep us here: 200 pages is 20,000 channels. */
export const MAX_CHANNEL_PAGES = 200;

/** Follows nextCursor until the last page; a repeated cursor (a server bug) ends the walk instead of looping. */
export async function fetchAllChannels(
  fetchPage: (cursor: string | null) => Promise<ChannelPage>,
  maxPages = MAX_CHANNEL_PAGES,
): Promise<ChannelSummary[]> {
  const all: ChannelSummary[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { items, nextCursor }: ChannelPage = await fetchPage(cursor);
    all.push(...items);
    if (!nextCursor || seen.has(nextCursor)) break;
    seen.add(nextCursor);
    cursor = nextCursor;
  }
  // A channel archived between two pages moves to the archived end and can come twice: list it once.
  const byId = new Map(all.map((c) => [c.id, c]));
  return [...byId.values()];
}

/**
 * The channel list as a query. The user stream keeps it current (UserStream) and reads it again
 * whenever it (re)starts, so nothing polls.
 */
export function useChannels() {
  const client = useTRPCClient();
  return useQuery({
    queryKey: channelsKey,
    queryFn: ({ signal }) =>
      fetchAllChannels((cursor) => client.channel.list.query(cursor ? { cursor } : undefined, { signal })),
  });
}
