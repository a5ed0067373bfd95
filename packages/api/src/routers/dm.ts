import { randomBytes } from 'node:crypto';
import { AppError, directKey, LIMITS, notFound, ZDirectOpenInput } from '@hubbub/core';
import { publishChanges, requireChannel } from '../channel-access';
import { router, writeProcedure } from '../trpc';
import { tellUsers } from '../user-events';

export const dmRouter = router({
  /**
   * The one direct conversation of the caller with these people (1:1 or a small group): found again
   * whoever opens it and in whatever order; created, with everyone as a member, the first time.
   * With agents only, `fresh` opens a new conversation (a session) each time.
   */
  open: writeProcedure.input(ZDirectOpenInput).mutation(async ({ input, ctx }) => {
    const others = [...new Set(input.userIds)].filter((id) => id !== ctx.user.id);
    const people = await Promise.all(others.map((id) => ctx.deps.stores.users.byId(id)));
    if (people.some((person) => !person)) throw notFound('user');
    const everyone = [ctx.user, ...people.flatMap((person) => (person ? [person] : []))];
    // Sessions: a person may hold many conversations with agents; people keep one conversation per group.
    if (input.fresh && !people.every((person) => person?.role === 'agent')) {
      throw new AppError('BAD_REQUEST', 'a new conversation each time is for agents: with people there is one');
    }
    const name = (input.name ?? everyone.map((person) => person.displayName).join(', ')).slice(0, LIMITS.channelName);
    const key = directKey(everyone.map((person) => person.id));
    const { channel, created } = await ctx.deps.stores.chat.openDirect({
      // Direct conversations have no name to take a slug from; it only has to be unique and URL-safe.
      slug: `dm-${randomBytes(6).toString('hex')}`,
      name,
      visibility: 'private',
      createdBy: ctx.user.id,
      dmKey: input.fresh ? `${key}#${randomBytes(8).toString('hex')}` : key,
      userIds: everyone.map((person) => person.id),
    });
    // Someone who left it is back in it when it is opened again (by them or by the others).
    const present = created ? null : new Set((await ctx.deps.stores.chat.members(channel.id)).map((m) => m.userId));
    const missing = present ? everyone.filter((person) => !present.has(person.id)) : [];
    const joinedNow = created ? everyone.map((person) => person.id) : [];
    for (const person of missing) {
      const joined = await ctx.deps.stores.chat.join(channel.id, person.id);
      await publishChanges(ctx.deps, joined);
      if (joined) joinedNow.push(person.id);
    }
    const current = missing.length > 0 ? await requireChannel(ctx.deps, channel.id) : channel;
    const by = (userId: string) => (userId === ctx.user.id ? null : ctx.user.id);
    await tellUsers(
      ctx.deps,
      joinedNow.map((userId) => ({ userId, change: { type: 'channel.joined', channel: current, by: by(userId) } })),
    );
    return current;
  }),
});
