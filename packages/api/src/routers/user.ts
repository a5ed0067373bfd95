import { type Person, ZUserEventInput, ZUserListInput } from '@hubbub/core';
import { ResumableStream } from '../resumable-stream';
import { protectedProcedure, router } from '../trpc';
import { userStreamSource } from '../user-stream';

/** People per page of user.list when the caller does not say. */
const PEOPLE_PAGE = 20;

export const userRouter = router({
  /** People and agents by the start of their handle or name (the mention and people pickers). */
  list: protectedProcedure.input(ZUserListInput).query(async ({ input, ctx }): Promise<Person[]> => {
    const found = await ctx.deps.stores.users.search(input?.query, input?.limit ?? PEOPLE_PAGE);
    return found.map(({ id, handle, displayName, role }) => ({ id, handle, displayName, role }));
  }),

  /** The caller's own stream (see core people.ts): resumable by lastEventId like a channel's. */
  onEvent: protectedProcedure.input(ZUserEventInput).subscription(({ input, ctx, signal }) => {
    const source = userStreamSource(ctx.deps.hub, ctx.deps.stores.people, ctx.user.id);
    return new ResumableStream(
      { hub: ctx.deps.hub, limits: ctx.deps.limits, connection: ctx.connection, owner: ctx },
      source,
      input?.lastEventId,
      signal,
    );
  }),
});
