import {
  AppError,
  type TodoItemsInput,
  type TodoList,
  ZTodoItemsInput,
  ZTodoListInput,
  ZTodoUpdateInput,
} from '@hubbub/core';
import type { z } from 'zod';
import { postableChannel, publishChanges, readableChannel } from '../channel-access';
import type { AppDeps } from '../context';
import { protectedProcedure, router, writeProcedure } from '../trpc';

/**
 * A conversation's plan. The assistant writes it whole (`update_todos`, through replaceChannelTodos);
 * people read it and tick its items. Every change is a stored `todo.updated` on the channel's stream.
 */
export const todoRouter = router({
  /** The channel's plan (no items when it has none), for anyone who may read the channel. */
  list: protectedProcedure.input(ZTodoListInput).query(async ({ input, ctx }) => {
    await readableChannel(ctx, input.channelId);
    return ctx.deps.stores.chat.todos(input.channelId);
  }),

  /** Sets one item's status: members who may post in the channel (not in an archived one), like sending. */
  update: writeProcedure.input(ZTodoUpdateInput).mutation(async ({ input, ctx }) => {
    await postableChannel(ctx, input.channelId);
    const { todos, event } = await ctx.deps.stores.chat.setTodoStatus(
      input.channelId,
      input.id,
      input.status,
      ctx.user.id,
    );
    await publishChanges(ctx.deps, event);
    return todos;
  }),
});

/**
 * Replaces a channel's plan whole (the assistant's `update_todos`) and publishes its todo.updated event.
 * The caller decides who may; the items are held to ZTodoItemsInput here (BAD_REQUEST past its limits),
 * because the store trusts what it is given.
 */
export async function replaceChannelTodos(
  deps: AppDeps,
  channelId: string,
  items: TodoItemsInput | z.input<typeof ZTodoItemsInput>,
  byUserId: string,
): Promise<TodoList> {
  const parsed = ZTodoItemsInput.safeParse(items);
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'not a plan');
  const { todos, event } = await deps.stores.chat.replaceTodos(channelId, parsed.data, byUserId);
  await publishChanges(deps, event);
  return todos;
}
