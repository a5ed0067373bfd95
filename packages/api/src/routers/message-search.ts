import { decodeSearchCursor, parseSearchQuery, type SearchPage, ZSearchInput } from '@hubbub/core';
import { readableChannel } from '../channel-access';
import { protectedProcedure } from '../trpc';

/**
 * message.search: full-text search over the messages the caller may read (a
 * read: limited like every query). The store matches only channels the caller
 * may read; a channel named outright must be one of them, or the answer is
 * NOT_FOUND "channel not found", as for an id that never existed.
 */
export const messageSearch = protectedProcedure
  .input(ZSearchInput)
  .query(async ({ input, ctx }): Promise<SearchPage> => {
    const cursor = input.cursor ? decodeSearchCursor(input.cursor) : undefined;
    if (input.channelId !== undefined) await readableChannel(ctx, input.channelId);
    return ctx.deps.stores.search.search({
      readerId: ctx.user.id,
      query: parseSearchQuery(input.query),
      channelId: input.channelId,
      authorId: input.authorId,
      before: input.before,
      after: input.after,
      limit: input.limit,
      cursor,
    });
  });
