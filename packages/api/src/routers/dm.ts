import { randomBytes } from 'node:crypto';
import { directKey, LIMITS, notFound, ZDirectOpenInput } from '@hubbub/core';
import { router, writeProcedure } from '../trpc';
import { tellUsers } from '../user-events';

export const dmRouter = router({
  /**
   * The one direct conversation of the caller with these people (1:1 or a small group): found again
   * whoever opens it and in whatever order; created, with everyone as a member, the first time.
   */
  open: writeProcedure.input(ZDirectOpenInput).mutation(async ({ input, ctx }) => {
    const others = [...new Set(input.userIds)].filter((id) => id !== ctx.user.id);
    const people = await Promise.all(others.map((id) => ctx.deps.stores.users.byId(id)));
    if (people.some((person) => !person)) throw notFound('user');
    const everyone = [ctx.user, ...people.flatMap((person) => (person ? [person] : []))];
    const name = everyone
      .map((person) => person.displayName)
      .join(', ')
      .slice(0, LIMITS.channelName);
    const { channel, created } = await ctx.deps.stores.chat.openDirect({
      // Direct conversations have no name to take a slug from; it only has to be unique and URL-safe.
      slug: `dm-${randomBytes(6).toString('hex')}`,
      name,
      visibility: 'private',
      createdBy: ctx.user.id,
      dmKey: directKey(everyone.map((person) => person.id)),
      userIds: everyone.map((person) => person.id),
    });
    if (created) {
      const by = (userId: string) => (userId === ctx.user.id ? null : ctx.user.id);
      await tellUsers(
        ctx.deps,
        everyone.map((person) => ({
          userId: person.id,
          change: { type: 'channel.joined', channel, by: by(person.id) },
        })),
      );
    }
    return channel;
  }),
});
