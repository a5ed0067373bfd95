import { z } from 'zod';
import { ZId } from './schemas';

/**
 * A conversation's plan: the list an agent keeps with `update_todos` (replacing
 * it whole) and people tick (`todo.update`). One list per channel.
 */

export const TODO_LIMITS = {
  items: 50,
  content: 300,
} as const;

export const ZTodoStatus = z.enum(['pending', 'in_progress', 'done']);

/** What `update_todos` writes: the whole list, in order. */
export const ZTodoItemsInput = z
  .array(
    z.object({
      content: z.string().trim().min(1).max(TODO_LIMITS.content),
      status: ZTodoStatus.default('pending'),
    }),
  )
  .max(TODO_LIMITS.items);
export type TodoItemsInput = z.output<typeof ZTodoItemsInput>;

export const ZTodoListInput = z.object({ channelId: ZId });
export const ZTodoUpdateInput = z.object({ channelId: ZId, id: ZId, status: ZTodoStatus });
export type TodoUpdateInput = z.infer<typeof ZTodoUpdateInput>;
