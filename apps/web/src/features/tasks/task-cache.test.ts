import { describe, expect, it } from 'vitest';
import {
  appendLogLines,
  applyChangeToDetail,
  applyTaskToList,
  flattenTasks,
  hiddenLogLines,
  isStale,
  keepReadable,
  matchesFilter,
  mergeLogs,
  normalizeFilter,
  pendingApprovals,
  reconcilePage,
  upsertApproval,
} from './task-cache';
import { approval, later, page, task } from './test-data';
import type { Task, TaskDetail, TaskListData } from './types';

const data = (...pages: ReturnType<typeof page>[]): TaskListData => ({
  pages,
  pageParams: pages.map((_, i) => (i === 0 ? null : (pages[i - 1]?.nextCursor ?? null))),
});
const ids = (d: TaskListData | undefined) => flattenTasks(d).map((t) => t.id);

describe('filters', () => {
  it('matches by status and agent, and normalizes absent parts away', () => {
    const t = task(1, { status: 'failed', agent: 'a' });
    expect(matchesFilter(t, {})).toBe(true);
    expect(matchesFilter(t, { status: 'failed' })).toBe(true);
    expect(matchesFilter(t, { status: 'failed', agent: 'b' })).toBe(false);
    expect(normalizeFilter({ status: undefined, agent: '' })).toEqual({});
    expect(normalizeFilter({ agent: 'a', status: 'queued' })).toEqual({ status: 'queued', agent: 'a' });
  });
});

describe('applyTaskToList', () => {
  it('replaces a task by id with a newer snapshot, and ignores an older one', () => {
    const t1 = task(1);
    const running = later(t1, 1, { status: 'in_progress', progress: { current: 1, total: 3, step: 'fetch' } });
    let d = applyTaskToList(data(page([t1], 'e:1')), running, {});
    expect(flattenTasks(d)[0]?.progress.step).toBe('fetch');
    const before = d;
    d = applyTaskToList(d, t1, {}); // a replay of the older snapshot
    expect(d).toBe(before);
    expect(flattenTasks(d)[0]?.status).toBe('in_progress');
  });

  it('applies an equal-time snapshot (two updates in one millisecond: the later event wins)', () => {
    const t1 = task(1, { status: 'in_progress' });
    const same = { ...t1, progress: { current: 2, total: 3, step: 'two' } };
    const d = applyTaskToList(data(page([t1], 'e:1')), same, {});
    expect(flattenTasks(d)[0]?.progress.current).toBe(2);
  });

  it('inserts new tasks newest first, and is idempotent', () => {
    let d = applyTaskToList(data(page([task(1)], 'e:1')), task(3), {});
    d = applyTaskToList(d, task(2), {});
    d = applyTaskToList(d, task(3), {});
    expect(ids(d)).toEqual(['t3', 't2', 't1']);
  });

  it('removes a task that stops matching the filter, and adds one that starts to', () => {
    const filter = { status: 'in_progress' as const };
    const t1 = task(1, { status: 'in_progress' });
    let d = applyTaskToList(data(page([t1], 'e:1')), later(t1, 1, { status: 'completed' }), filter);
    expect(ids(d)).toEqual([]);
    d = applyTaskToList(d, later(task(2), 1, { status: 'in_progress' }), filter);
    expect(ids(d)).toEqual(['t2']);
    // Another agent's task never enters an agent-filtered list.
    expect(ids(applyTaskToList(d, task(5, { agent: 'other' }), { agent: 'builder' }))).toEqual(['t2']);
  });

  it('does not insert a task older than the loaded pages; inserts within range into the page that covers it', () => {
    // Loaded: 10, 9 (page 1, next cursor 9) and 8, 7 (page 2, next cursor 7): older ones are not loaded.
    const d = data(page([task(10), task(9)], 'e:10', 9), page([task(8), task(7)], 'e:10', 7));
    expect(applyTaskToList(d, task(3), {})).toBe(d);
    const withOld = applyTaskToList(d, { ...task(8), id: 'x8' }, {});
    expect(withOld?.pages[1]?.items.map((t) => t.id)).toEqual(['t8', 'x8', 't7']);
    const withNew = applyTaskToList(d, task(11), {});
    expect(withNew?.pages[0]?.items.map((t) => t.id)).toEqual(['t11', 't10', 't9']);
  });

  it('leaves an unloaded cache alone', () => {
    expect(applyTaskToList(undefined, task(1), {})).toBeUndefined();
  });
});

describe('reconcilePage', () => {
  it('takes newer snapshots from the stream and drops what no longer matches', () => {
    const t1 = task(1, { status: 'in_progress' });
    const t2 = task(2, { status: 'in_progress' });
    const known = new Map([[t1.id, later(t1, 5, { status: 'completed' })]]);
    const p = reconcilePage(page([t1, t2], 'e:2'), (id) => known.get(id), { status: 'in_progress' });
    expect(p.items.map((t) => t.id)).toEqual(['t2']);
    const all = reconcilePage(page([t1, t2], 'e:2'), (id) => known.get(id), {});
    expect(all.items.find((t) => t.id === 't1')?.status).toBe('completed');
    // Nothing newer: the very same page back.
    const same = page([t2], 'e:2');
    expect(reconcilePage(same, () => undefined, {})).toBe(same);
  });
});

describe('the detail', () => {
  const t1 = task(1, { status: 'in_progress' });
  const detail = (): TaskDetail => ({
    task: t1,
    logs: [{ seq: 1, at: t1.updatedAt, line: 'one' }],
    approvals: [],
    timeline: [
      { type: 'run_created', status: 'queued', at: t1.createdAt },
      { type: 'run_update', status: 'in_progress', at: t1.updatedAt },
    ],
  });

  it('adds approvals, extends the timeline on status changes, and shows pending approvals while awaiting', () => {
    const waiting = later(t1, 2, { status: 'awaiting_approval' });
    const asked = approval(waiting);
    let d = applyChangeToDetail(detail(), { type: 'approval_required', task: waiting, approval: asked });
    expect(pendingApprovals(d).map((a) => a.action)).toEqual(['deploy']);
    expect(d?.timeline.map((e) => e.status)).toEqual(['queued', 'in_progress', 'awaiting_approval']);

    const resumed = later(waiting, 1, { status: 'in_progress' });
    const decided = { ...asked, status: 'approved' as const, decidedAt: resumed.updatedAt };
    d = applyChangeToDetail(d, { type: 'approval_decided', task: resumed, approval: decided });
    expect(pendingApprovals(d)).toEqual([]);
    expect(d?.approvals[0]?.status).toBe('approved');
    expect(d?.timeline.map((e) => e.status)).toEqual(['queued', 'in_progress', 'awaiting_approval', 'in_progress']);

    // A replay of the request neither brings the prompt back nor rewinds the task.
    const again = applyChangeToDetail(d, { type: 'approval_required', task: waiting, approval: asked });
    expect(again).toBe(d);
  });

  it('progress updates replace the task without touching the timeline', () => {
    const moved = later(t1, 1, { progress: { current: 2, total: 3, step: 'two' } });
    const d = applyChangeToDetail(detail(), { type: 'run_update', task: moved });
    expect(d?.task.progress.current).toBe(2);
    expect(d?.timeline).toHaveLength(2);
  });

  it('ignores events of other tasks', () => {
    const d = detail();
    expect(applyChangeToDetail(d, { type: 'run_update', task: later(task(2), 5) })).toBe(d);
  });

  it('upsertApproval never turns a decided approval back to pending', () => {
    const a = approval(t1, { status: 'rejected', comment: 'no' });
    const list = [a];
    expect(upsertApproval(list, { ...a, status: 'pending', comment: null })).toBe(list);
  });
});

describe('log lines', () => {
  const line = (seq: number) => ({ seq, at: '2024-01-01T00:00:00.000Z', line: `line ${seq}` });

  it('appends by seq: repeats and lines already held are dropped; keeps the newest max', () => {
    let logs = appendLogLines([line(1), line(2)], [line(2), line(3)]);
    expect(logs.map((l) => l.seq)).toEqual([1, 2, 3]);
    const same = logs;
    logs = appendLogLines(logs, [line(1), line(3)]);
    expect(logs).toBe(same);
    logs = appendLogLines(logs, [line(5), line(4)], 4);
    expect(logs.map((l) => l.seq)).toEqual([2, 3, 4, 5]);
  });

  it('a reread keeps older lines in front and newer live lines behind', () => {
    const held = [1, 2, 3, 4, 5, 6].map(line);
    expect(mergeLogs(held, [4, 5].map(line)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mergeLogs([], [4, 5].map(line)).map((l) => l.seq)).toEqual([4, 5]);
    expect(mergeLogs(held, []).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const fetched = [7, 8].map(line);
    expect(mergeLogs([7].map(line), fetched)).toBe(fetched);
    expect(mergeLogs(held, [7, 8].map(line), 5).map((l) => l.seq)).toEqual([4, 5, 6, 7, 8]);
  });

  it('tells dropped lines from lines not loaded', () => {
    expect(hiddenLogLines([line(301), line(302)], 100)).toEqual({ dropped: 100, notLoaded: 200 });
    expect(hiddenLogLines([line(1)], 0)).toEqual({ dropped: 0, notLoaded: 0 });
    expect(hiddenLogLines([], 7)).toEqual({ dropped: 7, notLoaded: 0 });
  });
});

describe('isStale', () => {
  it('compares times, not strings', () => {
    const t = task(1, { updatedAt: '2024-01-01T12:00:00.500Z' });
    expect(isStale({ ...t, updatedAt: '2024-01-01T12:00:00Z' }, t)).toBe(true);
    expect(isStale(t, undefined)).toBe(false);
  });
});

describe('sensitive tasks: the stream leaves input and result out', () => {
  const readable = task(1, { sensitive: true, input: { password: 'p' }, status: 'in_progress' });
  const streamed = (t: Task, seconds: number, patch: Partial<Task> = {}) =>
    later(t, seconds, { ...patch, input: null, result: null, redacted: true });

  it('keepReadable: a reader who holds input and result keeps them; everyone else gets the snapshot as sent', () => {
    const update = streamed(readable, 1, { progress: { current: 1, total: 3, step: 'one' } });
    expect(keepReadable(update, readable)).toEqual({ ...update, input: { password: 'p' }, redacted: false });
    const hidden = { ...readable, input: null, redacted: true };
    expect(keepReadable(update, hidden)).toBe(update);
    expect(keepReadable(update, undefined)).toBe(update);
    const shared = later(readable, 1, { sensitive: false });
    expect(keepReadable(shared, readable)).toBe(shared);
  });

  it('a list keeps the input of the task it holds, and applying twice changes nothing more', () => {
    const update = streamed(readable, 1, { progress: { current: 2, total: 3, step: 'two' } });
    const once = applyTaskToList(data(page([readable], 'e:1')), update, {});
    const twice = applyTaskToList(once, update, {});
    for (const d of [once, twice]) {
      expect(flattenTasks(d)[0]).toMatchObject({ input: { password: 'p' }, redacted: false, progress: { current: 2 } });
    }
  });

  it('a fetched page keeps its input when the stream has a newer, redacted snapshot', () => {
    const newer = streamed(readable, 3, { status: 'completed' });
    const reconciled = reconcilePage(page([readable], 'e:1'), () => newer, {});
    expect(reconciled.items[0]).toMatchObject({ status: 'completed', input: { password: 'p' }, redacted: false });
  });

  it('the open detail keeps its input through redacted updates', () => {
    const detail: TaskDetail = { task: readable, logs: [], approvals: [], timeline: [] };
    const done = streamed(readable, 2, { status: 'completed' });
    const next = applyChangeToDetail(detail, { type: 'run_complete', task: done });
    expect(next?.task).toMatchObject({ status: 'completed', input: { password: 'p' }, redacted: false });
    expect(next?.timeline.map((e) => e.status)).toEqual(['completed']);
  });
});
