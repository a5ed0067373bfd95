import type {
  Approval,
  Task,
  TaskChange,
  TaskEvent,
  TaskLogLine,
  TaskStats,
  TaskStatus,
  TaskTimelineEntry,
} from '@hubbub/core';
import type { InfiniteData } from '@tanstack/react-query';

/*
 * The wire shapes of the task procedures, named with core's types: tRPC's
 * inferred JSON outputs turn `unknown` fields (input, result) optional, so the
 * query functions state these once (packages/api/src/routers/task.ts).
 */
export type { Approval, Task, TaskChange, TaskLogLine, TaskStats, TaskStatus };
export type TimelineEntry = TaskTimelineEntry;

/** One task.list page: newest first, with the stream position it was read at. */
export interface TaskListPage {
  items: Task[];
  nextCursor: number | null;
  eventId: string;
}
/** The list's infinite query cache: pages newest first, each page's items newest first. */
export type TaskListData = InfiniteData<TaskListPage, unknown>;

/** task.byId: the task, its newest log lines (ascending), approvals and status timeline. */
export interface TaskDetail {
  task: Task;
  logs: TaskLogLine[];
  approvals: Approval[];
  timeline: TimelineEntry[];
}

/** What the list shows; both parts optional ("all tasks"). */
export interface TaskFilter {
  status?: TaskStatus;
  agent?: string;
}

/** What task.onEvent yields: every event is tracked, so it has an id (signals carry the last stored one). */
export interface TaskEnvelope {
  id: string;
  data: TaskEvent;
}

/** What a reader who may not see a sensitive task's input, result or log is shown instead. */
export const HIDDEN_LABEL = 'Hidden: sensitive task';

export const ACTIVE_STATUSES: readonly TaskStatus[] = ['queued', 'in_progress', 'awaiting_approval'];

export const STATUS_LABEL: Record<TaskStatus, string> = {
  queued: 'Queued',
  in_progress: 'Running',
  awaiting_approval: 'Needs approval',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
