import { TERMINAL_STATUSES } from '@hubbub/core';
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { RecentEvents } from '../../lib/recent-events';
import { createStore } from '../../lib/store';
import type { StreamState } from '../../lib/use-resumable-subscription';
import {
  applyChangeToDetail,
  applyLogToDetail,
  applyTaskToList,
  isStale,
  keepReadable,
  mergeLogs,
  normalizeFilter,
  reconcilePage,
  upsertApproval,
} from './task-cache';
import type {
  Approval,
  Task,
  TaskChange,
  TaskDetail,
  TaskEnvelope,
  TaskFilter,
  TaskListData,
  TaskListPage,
  TaskLogLine,
} from './types';

export const taskKeys = {
  all: ['hubbub', 'tasks'] as QueryKey,
  lists: ['hubbub', 'tasks', 'list'] as QueryKey,
  list: (filter: TaskFilter): QueryKey => ['hubbub', 'tasks', 'list', normalizeFilter(filter)],
  details: ['hubbub', 'tasks', 'detail'] as QueryKey,
  detail: (id: string): QueryKey => ['hubbub', 'tasks', 'detail', id],
  stats: ['hubbub', 'tasks', 'stats'] as QueryKey,
};

/** Enough stored events to cover what arrives while a page or a detail is in flight. */
const BUFFER_SIZE = 500;
/** Live log lines remembered per task (and tasks remembered) for a detail fetched while they arrive. */
const LOG_BUFFER_LINES = 200;
const LOG_BUFFER_TASKS = 30;

export interface TaskLiveOptions {
  /** At most one stats refetch per this many ms while tasks change (leading and trailing). */
  statsThrottleMs?: number;
}

/**
 * Applies the task stream to the query cache. One per session (query
 * client): it outlives the page, so coming back resumes from where it was.
 *
 * - Stored events carry the whole task: the newest snapshot per task id wins
 *   (an event older than what is held is ignored), and goes into every cached
 *   list whose filter it matches, and into the open detail.
 * - `log` lines are live only: appended to the detail by seq. A sensitive
 *   task's signal has no lines: a reader who may see them rereads the detail.
 * - A sensitive task's snapshots come without input and result; a reader who
 *   holds them keeps them (keepReadable).
 * - `reset`: everything is refetched.
 * - Pages and details fetched while events arrive are caught up with a
 *   buffer of recent events, so nothing falls between a read and the stream.
 */
export class TaskLive {
  readonly streamError = createStore<string | undefined>(undefined);
  /** The subscription: connecting, live, reconnecting (after a drop), or failed. */
  readonly streamState = createStore<StreamState>('connecting');

  private readonly known = new Map<string, Task>();
  private readonly recent = new RecentEvents<TaskChange>(BUFFER_SIZE);
  private readonly recentLogs = new Map<string, TaskLogLine[]>();
  /** Details being reread for hidden log lines: task id → more lines came in meanwhile. */
  private readonly logRereads = new Map<string, boolean>();
  private lastId: string | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private statsAgain = false;
  private readonly statsThrottleMs: number;

  constructor(
    private readonly queryClient: QueryClient,
    options: TaskLiveOptions = {},
  ) {
    this.statsThrottleMs = options.statsThrottleMs ?? 1500;
  }

  /** The stream position the caches reflect (the last stored event applied), to resume from. */
  position(): string | null {
    return this.lastId;
  }

  /** The newest snapshot seen of a task. */
  task(id: string): Task | undefined {
    return this.known.get(id);
  }

  handle(envelope: TaskEnvelope) {
    const event = envelope.data;
    if (event.type === 'reset') {
      this.lastId = envelope.id;
      this.reset();
      return;
    }
    if (event.type === 'log') {
      if (event.redacted) this.onHiddenLog(event.taskId);
      else this.onLog(event.taskId, event.lines);
      return;
    }
    // A kind of event this client does not know (a newer server): nothing to apply.
    if (!('task' in event) || !event.task) return;
    this.lastId = envelope.id;
    this.recent.remember(envelope.id, event);
    this.apply(event);
  }

  /** A mutation's answer (create, cancel): the same snapshot the stream sends, so whichever comes second is a no-op. */
  confirm(task: Task, type: TaskChange['type'] = 'run_update') {
    this.apply({ type, task } as TaskChange);
  }

  /** The answer to task.decide: the prompt goes away even if the stream's approval_decided is late. */
  confirmApproval(approval: Approval) {
    this.queryClient.setQueryData<TaskDetail>(taskKeys.detail(approval.taskId), (d) =>
      d ? { ...d, approvals: upsertApproval(d.approvals, approval) } : d,
    );
  }

  refreshDetail(taskId: string) {
    void this.queryClient.invalidateQueries({ queryKey: taskKeys.detail(taskId) });
  }

  /** The subscription (re)started: log lines sent while it was down are not replayed, so reread open details. */
  onResumed() {
    void this.queryClient.invalidateQueries({ queryKey: taskKeys.details });
  }

  /** The position we resumed from is void (server reset or history trimmed): start over. */
  reset() {
    this.known.clear();
    this.recent.clear();
    this.recentLogs.clear();
    void this.queryClient.resetQueries({ queryKey: taskKeys.all });
  }

  /**
   * Called with a freshly fetched list page: newer snapshots we hold replace
   * the page's, and (for a first page) events after the page's position are
   * replayed onto it, closing the window between the read and its landing.
   */
  catchUpPage(page: TaskListPage, filter: TaskFilter, first: boolean): TaskListPage {
    for (const item of page.items) this.learn(item);
    const result = reconcilePage(page, (id) => this.known.get(id), filter);
    const missed = first ? this.recent.after(page.eventId) : [];
    if (missed.length === 0) return result;
    let data: TaskListData | undefined = { pages: [result], pageParams: [null] };
    for (const change of missed) data = applyTaskToList(data, this.known.get(change.task.id) ?? change.task, filter);
    return data?.pages[0] ?? result;
  }

  /** Same for a fetched detail: recent changes of the task and its live log lines are applied on top. */
  catchUpDetail(fetched: TaskDetail): TaskDetail {
    this.learn(fetched.task);
    const held = this.queryClient.getQueryData<TaskDetail>(taskKeys.detail(fetched.task.id));
    const detail = held ? { ...fetched, logs: mergeLogs(held.logs, fetched.logs) } : fetched;
    let next: TaskDetail | undefined = detail;
    for (const change of this.recent.all())
      if (change.task.id === detail.task.id) next = applyChangeToDetail(next, change);
    const lines = this.recentLogs.get(detail.task.id);
    if (lines) next = applyLogToDetail(next, lines);
    return next ?? detail;
  }

  dispose() {
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.statsTimer = null;
  }

  private learn(task: Task) {
    const held = this.known.get(task.id);
    if (!held || !isStale(task, held)) this.known.set(task.id, task);
  }

  private apply(change: TaskChange) {
    const held = this.known.get(change.task.id);
    const task = keepReadable(change.task, held);
    const stale = isStale(task, held);
    if (!stale) {
      this.known.set(task.id, task);
      for (const query of this.queryClient.getQueryCache().findAll({ queryKey: taskKeys.lists })) {
        const filter = (query.queryKey[3] ?? {}) as TaskFilter;
        this.queryClient.setQueryData<TaskListData>(query.queryKey, (data) => applyTaskToList(data, task, filter));
      }
    }
    this.queryClient.setQueryData<TaskDetail>(taskKeys.detail(task.id), (d) => applyChangeToDetail(d, change));
    if (stale) return;
    const statusChanged = held?.status !== task.status;
    if (statusChanged || change.type === 'run_created') this.refreshStats();
    // Finished: reread the detail once (the server closed pending approvals, the log is final).
    if (statusChanged && held && TERMINAL_STATUSES.includes(task.status)) {
      void this.queryClient.invalidateQueries({ queryKey: taskKeys.detail(task.id) });
    }
  }

  private onLog(taskId: string, lines: TaskLogLine[]) {
    const buffered = [...(this.recentLogs.get(taskId) ?? []), ...lines].slice(-LOG_BUFFER_LINES);
    this.recentLogs.delete(taskId);
    this.recentLogs.set(taskId, buffered);
    if (this.recentLogs.size > LOG_BUFFER_TASKS) {
      const oldest = this.recentLogs.keys().next().value;
      if (oldest !== undefined) this.recentLogs.delete(oldest);
    }
    this.queryClient.setQueryData<TaskDetail>(taskKeys.detail(taskId), (d) => applyLogToDetail(d, lines));
  }

  /**
   * New lines in a sensitive task's log: an open detail that shows its input
   * (so this reader may read the log) is reread, one read at a time, once
   * more if lines came in meanwhile.
   */
  private onHiddenLog(taskId: string) {
    const key = taskKeys.detail(taskId);
    const held = this.queryClient.getQueryData<TaskDetail>(key);
    if (!held || held.task.redacted) return;
    if (this.logRereads.has(taskId)) {
      this.logRereads.set(taskId, true);
      return;
    }
    this.logRereads.set(taskId, false);
    void this.queryClient
      .refetchQueries({ queryKey: key, exact: true, type: 'active' }, { cancelRefetch: false })
      .finally(() => {
        const again = this.logRereads.get(taskId);
        this.logRereads.delete(taskId);
        if (again) this.onHiddenLog(taskId);
      });
  }

  /** Counts and the chart come from task.stats: refetched when statuses change, at most once per interval. */
  private refreshStats() {
    if (this.statsTimer) {
      this.statsAgain = true;
      return;
    }
    void this.queryClient.invalidateQueries({ queryKey: taskKeys.stats });
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (this.statsAgain) {
        this.statsAgain = false;
        this.refreshStats();
      }
    }, this.statsThrottleMs);
  }
}

const perSession = new WeakMap<QueryClient, TaskLive>();

/** The session's TaskLive: keyed by its query client, so a new login starts from nothing. */
export function taskLiveFor(queryClient: QueryClient): TaskLive {
  let live = perSession.get(queryClient);
  if (!live) {
    live = new TaskLive(queryClient);
    perSession.set(queryClient, live);
  }
  return live;
}
