import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flattenTasks } from './task-cache';
import { TaskLive, taskKeys } from './task-live';
import { approval, envelope, later, page, task } from './test-data';
import type { TaskDetail, TaskFilter, TaskListData, TaskListPage } from './types';

function setup() {
  const queryClient = new QueryClient();
  const live = new TaskLive(queryClient, { statsThrottleMs: 1000 });
  const seed = (filter: TaskFilter, first: TaskListPage) =>
    queryClient.setQueryData<TaskListData>(taskKeys.list(filter), { pages: [first], pageParams: [null] });
  const list = (filter: TaskFilter) =>
    flattenTasks(queryClient.getQueryData<TaskListData>(taskKeys.list(filter))).map(
      (t) => `${t.id}:${t.status}${t.progress.step ? `:${t.progress.step}` : ''}`,
    );
  return { queryClient, live, seed, list };
}

describe('TaskLive: applying the stream to the caches', () => {
  it('puts each snapshot into every cached list whose filter it matches', () => {
    const { live, seed, list } = setup();
    const t1 = task(1);
    seed({}, page([t1], 'ep:1'));
    seed({ status: 'in_progress' }, page([], 'ep:1'));
    seed({ status: 'queued' }, page([t1], 'ep:1'));

    const running = later(t1, 1, { status: 'in_progress', progress: { current: 1, total: 3, step: 'fetch' } });
    live.handle(envelope(2, { type: 'run_update', task: running }));
    live.handle(envelope(3, { type: 'run_created', task: task(4) }));

    expect(list({})).toEqual(['t4:queued', 't1:in_progress:fetch']);
    expect(list({ status: 'in_progress' })).toEqual(['t1:in_progress:fetch']);
    expect(list({ status: 'queued' })).toEqual(['t4:queued']);
    expect(live.position()).toBe('ep:3');
  });

  it('a replayed stretch (reconnect) converges to the same state; an older snapshot never wins', () => {
    const { live, seed, list } = setup();
    const t1 = task(1);
    seed({}, page([], 'ep:0'));
    const a = later(t1, 1, { status: 'in_progress', progress: { current: 1, total: 3, step: 'one' } });
    const b = later(a, 1, { progress: { current: 2, total: 3, step: 'two' } });
    const c = later(b, 1, { status: 'completed', progress: { current: 3, total: 3, step: 'three' } });
    const events = [
      envelope(1, { type: 'run_created', task: t1 }),
      envelope(2, { type: 'run_update', task: a }),
      envelope(3, { type: 'run_update', task: b }),
      envelope(4, { type: 'run_complete', task: c }),
    ];
    for (const e of events) live.handle(e);
    for (const e of events) live.handle(e);
    expect(list({})).toEqual(['t1:completed:three']);
  });

  it('a page fetched while events arrive is caught up with them, and keeps newer snapshots', () => {
    const { live } = setup();
    const t1 = task(1);
    const done = later(t1, 3, { status: 'completed' });
    // The stream delivered a new task (offset 5) and t1's completion (offset 6)...
    live.handle(envelope(5, { type: 'run_created', task: task(2) }));
    live.handle(envelope(6, { type: 'run_complete', task: done }));
    // ...and a fetch that read the position at 4 (before both) lands now.
    const caught = live.catchUpPage(page([t1], 'ep:4'), {}, true);
    expect(caught.items.map((t) => `${t.id}:${t.status}`)).toEqual(['t2:queued', 't1:completed']);
    // A filtered first page gets only what matches.
    const queued = live.catchUpPage(page([t1], 'ep:4'), { status: 'queued' }, true);
    expect(queued.items.map((t) => t.id)).toEqual(['t2']);
  });

  it('a page read after the events it contains is not rewound by replaying them', () => {
    const { live, seed, list } = setup();
    const t1 = task(1, { status: 'in_progress' });
    const done = later(t1, 3, { status: 'completed' });
    // The fetch read the list after t1 completed (its snapshot is newer than the position it reports).
    seed({}, live.catchUpPage(page([done], 'ep:1'), {}, true));
    seed({ status: 'in_progress' }, live.catchUpPage(page([], 'ep:1'), { status: 'in_progress' }, true));
    // Subscribing from ep:1 replays the older running snapshot first: it must not reappear anywhere.
    live.handle(envelope(2, { type: 'run_update', task: later(t1, 1) }));
    expect(list({})).toEqual(['t1:completed']);
    expect(list({ status: 'in_progress' })).toEqual([]);
    live.handle(envelope(3, { type: 'run_complete', task: done }));
    expect(list({})).toEqual(['t1:completed']);
  });

  it('keeps the open detail current: task, approvals, timeline and live log lines', () => {
    const { live, queryClient } = setup();
    const t1 = task(1, { status: 'in_progress' });
    const detail: TaskDetail = {
      task: t1,
      logs: [{ seq: 1, at: t1.updatedAt, line: 'start' }],
      approvals: [],
      timeline: [{ type: 'run_update', status: 'in_progress', at: t1.updatedAt }],
    };
    queryClient.setQueryData(taskKeys.detail('t1'), detail);
    const get = () => queryClient.getQueryData<TaskDetail>(taskKeys.detail('t1'));

    live.handle({
      id: 'ep:1',
      data: { type: 'log', taskId: 't1', lines: [{ seq: 2, at: '', line: 'two' }], redacted: false },
    });
    live.handle({
      id: 'ep:1',
      data: { type: 'log', taskId: 't1', lines: [{ seq: 2, at: '', line: 'two' }], redacted: false },
    });
    expect(get()?.logs.map((l) => l.line)).toEqual(['start', 'two']);
    // Log lines are signals: they do not move the resume position.
    expect(live.position()).toBeNull();

    const waiting = later(t1, 1, { status: 'awaiting_approval' });
    const asked = approval(waiting);
    live.handle(envelope(2, { type: 'approval_required', task: waiting, approval: asked }));
    expect(get()?.approvals.map((a) => a.status)).toEqual(['pending']);
    expect(get()?.timeline.map((e) => e.status)).toEqual(['in_progress', 'awaiting_approval']);

    // The ack of task.decide removes the prompt at once; the stream's event agrees.
    live.confirmApproval({ ...asked, status: 'approved', decidedAt: waiting.updatedAt });
    expect(get()?.approvals.map((a) => a.status)).toEqual(['approved']);
    const resumed = later(waiting, 1, { status: 'in_progress' });
    live.handle(envelope(3, { type: 'approval_decided', task: resumed, approval: { ...asked, status: 'approved' } }));
    expect(get()?.task.status).toBe('in_progress');
    expect(get()?.approvals.map((a) => a.status)).toEqual(['approved']);
  });

  it('a detail fetched while its approval request and log lines arrived is caught up', () => {
    const { live } = setup();
    const t1 = task(1, { status: 'in_progress' });
    const waiting = later(t1, 1, { status: 'awaiting_approval' });
    live.handle({
      id: 'ep:0',
      data: { type: 'log', taskId: 't1', lines: [{ seq: 1, at: '', line: 'one' }], redacted: false },
    });
    live.handle(envelope(1, { type: 'approval_required', task: waiting, approval: approval(waiting) }));
    const caught = live.catchUpDetail({ task: t1, logs: [], approvals: [], timeline: [] });
    expect(caught.task.status).toBe('awaiting_approval');
    expect(caught.approvals.map((a) => a.action)).toEqual(['deploy']);
    expect(caught.logs.map((l) => l.line)).toEqual(['one']);
  });

  it('reset clears what it knows and refetches every task query', async () => {
    const { live, seed, queryClient } = setup();
    seed({}, page([task(1)], 'ep:1'));
    const reset = vi.spyOn(queryClient, 'resetQueries');
    live.handle({ id: 'new-epoch:0', data: { type: 'reset' } });
    expect(reset).toHaveBeenCalledWith({ queryKey: taskKeys.all });
    expect(live.position()).toBe('new-epoch:0');
    expect(live.task('t1')).toBeUndefined();
  });
});

describe('TaskLive: sensitive tasks', () => {
  const secret = task(1, { sensitive: true, input: { password: 'p' } });
  const hide = (t: typeof secret) => ({ ...t, input: null, result: null, redacted: true });

  it('keeps the input this reader holds through the stream’s redacted snapshots, in lists and the detail', () => {
    const { live, seed, queryClient } = setup();
    seed({}, live.catchUpPage(page([secret], 'ep:1'), {}, true));
    queryClient.setQueryData<TaskDetail>(taskKeys.detail('t1'), {
      task: secret,
      logs: [],
      approvals: [],
      timeline: [],
    });
    const running = hide(later(secret, 1, { status: 'in_progress', progress: { current: 1, total: 3, step: 'one' } }));
    live.handle(envelope(2, { type: 'run_update', task: running }));
    live.handle(envelope(2, { type: 'run_update', task: running }));
    const listed = flattenTasks(queryClient.getQueryData<TaskListData>(taskKeys.list({})))[0];
    expect(listed).toMatchObject({ status: 'in_progress', input: { password: 'p' }, redacted: false });
    expect(queryClient.getQueryData<TaskDetail>(taskKeys.detail('t1'))?.task).toMatchObject({
      progress: { step: 'one' },
      input: { password: 'p' },
    });
    expect(live.task('t1')?.input).toEqual({ password: 'p' });
    // A page read before that update still shows the input once reconciled with the newer, redacted snapshot.
    expect(live.catchUpPage(page([secret], 'ep:1'), {}, false).items[0]).toMatchObject({
      status: 'in_progress',
      input: { password: 'p' },
    });
  });

  it('a reader who never held the input sees the snapshots as sent', () => {
    const { live, seed, queryClient } = setup();
    seed({}, page([hide(secret)], 'ep:1'));
    live.handle(envelope(2, { type: 'run_update', task: hide(later(secret, 1, { status: 'in_progress' })) }));
    const listed = flattenTasks(queryClient.getQueryData<TaskListData>(taskKeys.list({})))[0];
    expect(listed).toMatchObject({ status: 'in_progress', input: null, redacted: true });
  });

  it('hidden log lines reread an open detail this reader may read, one read at a time, once more after it', async () => {
    const { live, queryClient } = setup();
    let finish: () => void = () => {};
    const refetch = vi.spyOn(queryClient, 'refetchQueries').mockImplementation(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    const hiddenLog = { id: 'ep:1', data: { type: 'log' as const, taskId: 't1', lines: [], redacted: true } };
    // No detail open: nothing to reread.
    live.handle(hiddenLog);
    expect(refetch).not.toHaveBeenCalled();
    // A detail this reader may not read (redacted): nothing either.
    queryClient.setQueryData<TaskDetail>(taskKeys.detail('t1'), {
      task: hide(secret),
      logs: [],
      approvals: [],
      timeline: [],
    });
    live.handle(hiddenLog);
    expect(refetch).not.toHaveBeenCalled();
    // A readable one: reread; lines meanwhile ask for one more read after it, not one each.
    queryClient.setQueryData<TaskDetail>(taskKeys.detail('t1'), {
      task: secret,
      logs: [],
      approvals: [],
      timeline: [],
    });
    live.handle(hiddenLog);
    live.handle(hiddenLog);
    live.handle(hiddenLog);
    expect(refetch).toHaveBeenCalledTimes(1);
    expect(refetch.mock.calls[0]?.[0]).toMatchObject({ queryKey: taskKeys.detail('t1'), exact: true });
    finish();
    await vi.waitFor(() => expect(refetch).toHaveBeenCalledTimes(2));
    finish();
    await Promise.resolve();
    expect(refetch).toHaveBeenCalledTimes(2);
  });
});

describe('TaskLive: stats refresh', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('refetches stats when statuses change, throttled (leading and trailing), not on progress alone', () => {
    const { live, queryClient } = setup();
    const invalidate = vi.spyOn(queryClient, 'invalidateQueries');
    const statsCalls = () => invalidate.mock.calls.filter(([f]) => f?.queryKey === taskKeys.stats).length;
    const t1 = task(1);
    live.handle(envelope(1, { type: 'run_created', task: t1 }));
    expect(statsCalls()).toBe(1);
    const running = later(t1, 1, { status: 'in_progress' });
    live.handle(envelope(2, { type: 'run_update', task: running }));
    live.handle(
      envelope(3, { type: 'run_update', task: later(running, 1, { progress: { current: 1, total: 3, step: null } }) }),
    );
    expect(statsCalls()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(statsCalls()).toBe(2);
    live.handle(
      envelope(4, { type: 'run_update', task: later(running, 2, { progress: { current: 2, total: 3, step: null } }) }),
    );
    vi.advanceTimersByTime(5000);
    expect(statsCalls()).toBe(2);
    live.dispose();
  });
});
