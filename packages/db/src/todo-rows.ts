import { notFound, type TodoItem, type TodoItemsInput, type TodoList, type TodoStatus } from '@hubbub/core';
import { newId } from './ids';
import type { Json } from './rows';
import { isoNow } from './time';

/**
 * A channel's plan as both chat stores read and write it: one `channel_todos`
 * row per channel, the items as JSON (`encode`/`json`: the dialect's way).
 */

export interface TodoRow {
  items: unknown;
  updatedAt: string;
  updatedBy: string | null;
}

/** The plan a row holds; no row: an empty plan nobody has touched. */
export const toTodoList = (channelId: string, row: TodoRow | undefined, json: Json): TodoList =>
  row
    ? {
        channelId,
        items: (json(row.items) as TodoItem[] | null) ?? [],
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      }
    : { channelId, items: [], updatedAt: null, updatedBy: null };

/** A whole new plan: every item gets a new id (ids name items only until the list is replaced). */
export const newTodoItems = (items: TodoItemsInput): TodoItem[] =>
  items.map((item) => ({ id: newId(), content: item.content, status: item.status }));

/** The plan with one item's status set; NOT_FOUND for an id it does not have. */
export function withTodoStatus(items: TodoItem[], id: string, status: TodoStatus): TodoItem[] {
  if (!items.some((item) => item.id === id)) throw notFound('todo');
  return items.map((item) => (item.id === id ? { ...item, status } : item));
}

/** The row a change writes (insert or update), and the list it stores. */
export function todoWrite<Stored>(
  channelId: string,
  items: TodoItem[],
  by: string,
  encode: (items: TodoItem[]) => Stored,
) {
  const updatedAt = isoNow();
  const todos: TodoList = { channelId, items, updatedAt, updatedBy: by };
  return { todos, row: { channelId, items: encode(items), updatedAt, updatedBy: by } };
}
