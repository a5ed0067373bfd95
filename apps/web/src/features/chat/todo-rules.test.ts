import type { TodoList } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { newerTodos, openTodoCount, tickedStatus, undoTodoStatus, withTodoStatus } from './todo-rules';

const plan = (updatedAt: string | null, statuses: TodoList['items'][number]['status'][] = []): TodoList => ({
  channelId: 'c1',
  items: statuses.map((status, i) => ({ id: `t${i}`, content: `step ${i}`, status })),
  updatedAt,
  updatedBy: updatedAt ? 'u-agent' : null,
});

describe('which plan is the newer', () => {
  it('the later one wins, whichever order they arrive in; the same one twice changes nothing', () => {
    const older = plan('2026-01-01T10:00:00.000Z', ['pending']);
    const newer = plan('2026-01-01T10:00:05.000Z', ['done']);
    expect(newerTodos(undefined, older)).toBe(older);
    expect(newerTodos(older, newer)).toBe(newer);
    // A fetch that started before the event and landed after it.
    expect(newerTodos(newer, older)).toBe(newer);
    expect(newerTodos(newerTodos(older, newer), newer)).toBe(newer);
  });

  it('a plan never written is older than any written one; a tie takes what arrived', () => {
    const none = plan(null);
    const written = plan('2026-01-01T10:00:00.000Z', ['pending']);
    expect(newerTodos(written, none)).toBe(written);
    expect(newerTodos(none, written)).toBe(written);
    const again = plan('2026-01-01T10:00:00.000Z', ['done']);
    expect(newerTodos(written, again)).toBe(again);
  });
});

describe('ticking an item', () => {
  it('shows the tick at once, and undoes it on failure unless something newer came', () => {
    const list = plan('2026-01-01T10:00:00.000Z', ['pending', 'in_progress']);
    const ticked = withTodoStatus(list, 't0', tickedStatus(true));
    expect(ticked?.items.map((i) => i.status)).toEqual(['done', 'in_progress']);
    expect(withTodoStatus(ticked, 't0', 'done')).toBe(ticked);
    expect(withTodoStatus(list, 'nope', 'done')).toBe(list);
    expect(undoTodoStatus(ticked, 't0', { from: 'pending', to: 'done' })?.items[0]?.status).toBe('pending');
    // Someone unticked it meanwhile: the failed tick leaves their change alone.
    const other = withTodoStatus(ticked, 't0', 'in_progress');
    expect(undoTodoStatus(other, 't0', { from: 'pending', to: 'done' })).toBe(other);
    expect(undoTodoStatus(undefined, 't0', { from: 'pending', to: 'done' })).toBeUndefined();
    expect(tickedStatus(false)).toBe('pending');
  });

  it('counts what is still open', () => {
    expect(openTodoCount(plan('2026-01-01T10:00:00.000Z', ['pending', 'in_progress', 'done']))).toBe(2);
    expect(openTodoCount(plan(null))).toBe(0);
    expect(openTodoCount(undefined)).toBe(0);
  });
});
