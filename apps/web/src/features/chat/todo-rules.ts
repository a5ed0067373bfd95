import type { TodoList, TodoStatus } from '@hubbub/core';

/**
 * Pure rules of a channel's plan in the web app: which copy of the list is the
 * newer (the stream's todo.updated, a fetch, a tick's answer), an optimistic
 * tick and its undo, and the count on the header button.
 */

/** Items not done yet (the header button's count). */
export const openTodoCount = (list: Pick<TodoList, 'items'> | undefined): number =>
  list?.items.filter((item) => item.status !== 'done').length ?? 0;

const changedAt = (list: TodoList) => (list.updatedAt ? Date.parse(list.updatedAt) : Number.NEGATIVE_INFINITY);

/**
 * The plan to keep when `incoming` arrives (a todo.updated event, a fetch, an
 * update's answer): the later one by `updatedAt`, `incoming` on a tie. Each
 * carries the whole list, so applying the same one twice changes nothing, and
 * an older read landing after a newer event does not roll the plan back.
 */
export function newerTodos(current: TodoList | undefined, incoming: TodoList): TodoList {
  if (!current) return incoming;
  return changedAt(incoming) >= changedAt(current) ? incoming : current;
}

/** The plan with one item's status set (a tick shown before the server answers); unchanged for an unknown id. */
export function withTodoStatus(list: TodoList | undefined, id: string, status: TodoStatus): TodoList | undefined {
  if (!list?.items.some((item) => item.id === id && item.status !== status)) return list;
  return { ...list, items: list.items.map((item) => (item.id === id ? { ...item, status } : item)) };
}

/**
 * Undoes a failed tick: the item goes back to `from` only if it still shows
 * what the tick set (`to`); a newer change that came meanwhile stays.
 */
export function undoTodoStatus(
  list: TodoList | undefined,
  id: string,
  { from, to }: { from: TodoStatus; to: TodoStatus },
): TodoList | undefined {
  const item = list?.items.find((i) => i.id === id);
  return item?.status === to ? withTodoStatus(list, id, from) : list;
}

/** What ticking or unticking an item's box asks for. */
export const tickedStatus = (checked: boolean): TodoStatus => (checked ? 'done' : 'pending');

export const TODO_STATUS_LABEL: Record<TodoStatus, string> = {
  pending: 'To do',
  in_progress: 'In progress',
  done: 'Done',
};
