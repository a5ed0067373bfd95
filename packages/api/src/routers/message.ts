import type { ReplyAgent, ReplyTicket } from '@hubbub/assistant';
import {
  assertCanModify,
  assertCanPost,
  assertNotArchived,
  assertNotDeleted,
  type Message,
  type Reaction,
  type User,
  ZAroundInput,
  ZDecideToolInput,
  ZEditMessageInput,
  ZHistoryInput,
  ZMessageRef,
  ZReactionInput,
  ZSendMessageInput,
  ZThreadInput,
} from '@hubbub/core';
import { agentOfReply, askedAgent, toReplyAgent } from '../agent-registry';
import { deleteFilesOf } from '../attachments';
import { postableChannel, publishChanges, readableChannel, readableMessage } from '../channel-access';
import type { AppDeps } from '../context';
import { mentionedMembers } from '../mentions';
import { replyDeciders } from '../tool-approvals';
import { humanWriteProcedure, protectedProcedure, router, writeProcedure } from '../trpc';
import { tellUsers } from '../user-events';
import { messageSearch } from './message-search';

export const messageRouter = router({
  send: writeProcedure.input(ZSendMessageInput).mutation(async ({ input, ctx }) => {
    const agent = await askedAgent(ctx.deps, ctx.user, input.channelId, input.content);
    let ticket: ReplyTicket | null = null;
    if (agent) {
      // Refused before anything is stored (busy, over the day's budget): a question whose reply cannot start must not stay behind.
      await postableChannel(ctx, input.channelId);
      ticket = await ctx.deps.assistant.admit(ctx.user);
    }
    const mentions = await mentionedMembers(ctx.deps, ctx.user, input.channelId, input.content);
    // The store checks the author may post in the transaction that stores the message (no reads first).
    const { message, event, threadEvent } = await ctx.deps.stores.chat
      .sendMessage({
        channelId: input.channelId,
        authorId: ctx.user.id,
        content: input.content,
        clientId: input.clientId,
        meta: mentions.length > 0 ? { ...input.meta, mentions } : input.meta,
        checkPostAccess: true,
        attachmentIds: input.attachmentIds,
        threadId: input.threadId,
        alsoInChannel: input.alsoInChannel,
      })
      .catch((error: unknown) => {
        ticket?.cancel();
        throw error;
      });
    await publishChanges(ctx.deps, event, threadEvent ?? null);
    // Web Push to the people it concerns (a thread reply: its followers too, like a mention), in the background
    // (a retried send, event null, notifies no one again).
    const notified = [...mentions, ...(message.meta?.threadFollowers ?? [])];
    if (event) ctx.deps.push.messagePosted({ message, mentionedUserIds: notified });
    // A retried send (event null) must not ask twice.
    if (ticket && event && agent) {
      const toolset = ctx.deps.agentToolset(agent, ctx.user, message.channelId);
      await ctx.deps.assistant.reply(message, ctx.user, ticket, toReplyAgent(agent, toolset));
    } else ticket?.cancel();
    return message;
  }),

  /** Stops a streaming (or waiting) assistant reply; the text so far stays, with status "cancelled". */
  cancel: writeProcedure.input(ZMessageRef).mutation(async ({ input, ctx }) => {
    const { message } = await readableMessage(ctx, input.messageId);
    await ctx.deps.assistant.cancel(message.id, ctx.user);
    return (await ctx.deps.stores.chat.messageById(message.id)) ?? message;
  }),

  /** Regenerates an assistant reply in place (its asker or an admin): same message, new text, the old kept as a version. */
  retry: writeProcedure.input(ZMessageRef).mutation(async ({ input, ctx }) => {
    const { message, channel, membership } = await readableMessage(ctx, input.messageId);
    assertCanPost(channel, membership);
    return ctx.deps.assistant.retry(message.id, ctx.user, await replyAgentFor(ctx.deps, message, ctx.user));
  }),

  /**
   * Approves or denies an agent's tool call waiting in a reply (its asker, or an admin). Once none
   * waits, the reply's loop goes on: the approved calls run as the person who asked. A person
   * signed in themselves decides, never an agent or a script's key (like task approvals).
   */
  decideTool: humanWriteProcedure.input(ZDecideToolInput).mutation(async ({ input, ctx }) => {
    const { message } = await readableMessage(ctx, input.messageId);
    const agent = await replyAgentFor(ctx.deps, message, ctx.user);
    const decided = await ctx.deps.assistant.decideTool(input, ctx.user, agent);
    const change = {
      type: 'tool.approval.decided' as const,
      channelId: message.channelId,
      messageId: message.id,
      toolCallId: input.toolCallId,
      approved: input.approved,
      decidedBy: ctx.user.id,
    };
    const people = await replyDeciders(ctx.deps, message);
    await tellUsers(
      ctx.deps,
      people.map((userId) => ({ userId, change })),
    );
    return decided;
  }),

  /** Full-text search over what the caller may read (message-search.ts). */
  search: messageSearch,

  history: protectedProcedure.input(ZHistoryInput).query(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    return ctx.deps.stores.chat.history(input.channelId, {
      before: input.before ?? input.cursor ?? undefined,
      after: input.after,
      limit: input.limit,
    });
  }),

  /** A window of the channel's messages around one; NOT_FOUND unless the caller may read its channel (no existence leak). */
  around: protectedProcedure.input(ZAroundInput).query(async ({ input, ctx }) => {
    const { message } = await readableMessage(ctx, input.messageId);
    return ctx.deps.stores.chat.around(message.id, { limit: input.limit });
  }),

  /** A thread: its root and a page of replies, newest first; NOT_FOUND unless the caller may read its channel. */
  thread: protectedProcedure.input(ZThreadInput).query(async ({ input, ctx }) => {
    const { message } = await readableMessage(ctx, input.messageId);
    return ctx.deps.stores.chat.thread(message.id, { before: input.before, limit: input.limit });
  }),

  edit: writeProcedure.input(ZEditMessageInput).mutation(async ({ input, ctx }) => {
    const { message, channel } = await readableMessage(ctx, input.messageId);
    assertNotArchived(channel);
    assertCanModify(ctx.user, message);
    const result = await ctx.deps.stores.chat.editMessage(message.id, { content: input.content, edited: true });
    await publishChanges(ctx.deps, result.event);
    return result.message;
  }),

  /** Adds the caller's emoji to a message (a member's right, not in an archived channel); harmless twice. */
  react: writeProcedure.input(ZReactionInput).mutation(async ({ input, ctx }) => react(ctx, input, true)),

  /** Takes the caller's emoji back; harmless when it is not there. */
  unreact: writeProcedure.input(ZReactionInput).mutation(async ({ input, ctx }) => react(ctx, input, false)),

  delete: writeProcedure.input(ZMessageRef).mutation(async ({ input, ctx }) => {
    const { message, channel } = await readableMessage(ctx, input.messageId);
    assertNotArchived(channel);
    assertCanModify(ctx.user, message);
    // A root with replies stays as their anchor (message.updated, marked deleted); every change is published.
    const { events } = await ctx.deps.stores.chat.deleteMessage(message.id);
    await publishChanges(ctx.deps, ...events);
    // Their files after the transaction: the deleted messages' and a kept root's.
    await deleteFilesOf(
      ctx.deps,
      events.flatMap(({ change }) => {
        if (change.type === 'message.deleted') return [change.messageId];
        return change.type === 'message.updated' && change.message.meta?.deleted ? [change.message.id] : [];
      }),
    );
    // A root kept for its replies comes back as it is now, so the deleter's view updates at once.
    const kept = events.find(({ change }) => change.type === 'message.updated' && change.message.id === message.id);
    return kept?.change.type === 'message.updated'
      ? { messageId: message.id, kept: kept.change.message }
      : { messageId: message.id };
  }),
});

/** A reaction change: readable message (NOT_FOUND otherwise, like an unknown id), then the post rules. */
async function react(
  ctx: { deps: AppDeps; user: User },
  input: { messageId: string; emoji: string },
  on: boolean,
): Promise<{ messageId: string; reactions: Reaction[] }> {
  const { message, channel, membership } = await readableMessage(ctx, input.messageId);
  assertNotDeleted(message);
  assertCanPost(channel, membership);
  const { reactions, event } = await ctx.deps.stores.chat.react({
    messageId: message.id,
    userId: ctx.user.id,
    emoji: input.emoji,
    on,
  });
  await publishChanges(ctx.deps, event);
  return { messageId: message.id, reactions };
}

/** The agent that wrote a reply, with its tools acting as the person who asked it (to write again, or go on). */
async function replyAgentFor(deps: AppDeps, reply: Message, by: User): Promise<ReplyAgent | undefined> {
  const agent = await agentOfReply(deps, reply);
  if (!agent) return undefined;
  const askerId = reply.meta?.requestedBy;
  const asker = askerId && askerId !== by.id ? await deps.stores.users.byId(askerId) : by;
  return toReplyAgent(agent, asker ? deps.agentToolset(agent, asker, reply.channelId) : undefined);
}
