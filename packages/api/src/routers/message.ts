import {
  assertCanModify,
  assertNotArchived,
  notFound,
  ZEditMessageInput,
  ZHistoryInput,
  ZMessageRef,
  ZSendMessageInput,
} from '@hubbub/core';
import { postableChannel, publish, readableChannel } from '../access';
import { protectedProcedure, router, writeProcedure } from '../trpc';

export const messageRouter = router({
  send: writeProcedure.input(ZSendMessageInput).mutation(async ({ input, ctx }) => {
    await postableChannel(ctx, input.channelId);
    const { message, event } = await ctx.stores.chat.sendMessage({
      channelId: input.channelId,
      authorId: ctx.user.id,
      content: input.content,
      clientId: input.clientId,
      meta: input.meta,
    });
    await publish(ctx, event);
    return message;
  }),

  history: protectedProcedure.input(ZHistoryInput).query(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    return ctx.stores.chat.history(input.channelId, { before: input.before, limit: input.limit });
  }),

  edit: writeProcedure.input(ZEditMessageInput).mutation(async ({ input, ctx }) => {
    const message = await ctx.stores.chat.messageById(input.messageId);
    if (!message) throw notFound('message');
    assertNotArchived((await readableChannel(ctx, message.channelId)).channel);
    assertCanModify(ctx.user, message);
    const result = await ctx.stores.chat.editMessage(message.id, { content: input.content, edited: true });
    await publish(ctx, result.event);
    return result.message;
  }),

  delete: writeProcedure.input(ZMessageRef).mutation(async ({ input, ctx }) => {
    const message = await ctx.stores.chat.messageById(input.messageId);
    if (!message) throw notFound('message');
    assertNotArchived((await readableChannel(ctx, message.channelId)).channel);
    assertCanModify(ctx.user, message);
    await publish(ctx, await ctx.stores.chat.deleteMessage(message.id));
    return { messageId: message.id };
  }),
});
