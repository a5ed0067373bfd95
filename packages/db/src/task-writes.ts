import { assertRunning, assertTransition, type NewTask, type TaskPatch, type TaskStatus } from '@hubbub/core';
import { newId } from './ids';
import { isoNow } from './time';

/**
 * The rows and columns both task stores write; `encode` stores JSON the
 * dialect's way (rows.ts: toText, toValue).
 */

/** A new, queued task: its seq is the offset of its run_created event. */
export function newTaskRow<Stored>(input: NewTask, offset: number, encode: (value: unknown) => Stored) {
  const at = isoNow();
  return {
    id: newId(),
    seq: offset,
    title: input.title,
    agent: input.agent ?? null,
    status: 'queued' as const,
    input: encode(input.input),
    progressTotal: input.totalSteps ?? null,
    createdBy: input.createdBy,
    sensitive: input.sensitive ?? false,
    createdAt: at,
    updatedAt: at,
  };
}

/** What a claim writes on the task it takes. */
export const claimColumns = (agent: string, workerId: string) => ({
  status: 'in_progress' as const,
  agent,
  workerId,
  startedAt: isoNow(),
  heartbeatAt: Date.now(),
});

interface TaskUpdateColumns<Stored> {
  heartbeatAt: number;
  status?: TaskStatus;
  completedAt?: string;
  progressCurrent?: number;
  progressTotal?: number | null;
  progressStep?: string | null;
  error?: string;
  result?: Stored;
}

/**
 * The columns an update writes, its status change checked against the
 * machine; and what the task's pending approval becomes when the update ends
 * it (a pending approval dies with its task), else null.
 */
export function taskUpdateColumns<Stored>(status: TaskStatus, patch: TaskPatch, encode: (value: unknown) => Stored) {
  const set: TaskUpdateColumns<Stored> = { heartbeatAt: Date.now() };
  if (patch.status) {
    assertTransition(status, patch.status);
    set.status = patch.status;
    if (patch.status === 'completed' || patch.status === 'failed' || patch.status === 'cancelled') {
      set.completedAt = isoNow();
    }
  } else {
    assertRunning(status);
  }
  if (patch.progress) {
    if (patch.progress.current !== undefined) set.progressCurrent = patch.progress.current;
    if (patch.progress.total !== undefined) set.progressTotal = patch.progress.total;
    if (patch.progress.step !== undefined) set.progressStep = patch.progress.step;
  }
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.result !== undefined) set.result = encode(patch.result);
  const ends = set.status && set.status !== 'awaiting_approval' && status === 'awaiting_approval';
  const endApproval = ends ? { status: 'rejected' as const, decidedAt: isoNow(), comment: `task ${set.status}` } : null;
  return { set, endApproval };
}

/**
 * Log lines appended after the task's last one (`stored`, and `lines` as the
 * port answers them), and the log's new end; the lines up to `dropThrough`
 * (when > 0) are dropped.
 */
export function appendedLogLines(task: { id: string; logSeq: number }, lines: string[], logsPerTask: number) {
  const at = isoNow();
  const stored = lines.map((line, i) => ({ taskId: task.id, seq: task.logSeq + i + 1, at, line }));
  const logSeq = task.logSeq + lines.length;
  return {
    stored,
    lines: stored.map(({ seq, line }) => ({ seq, at, line })),
    logSeq,
    dropThrough: logSeq - logsPerTask,
  };
}

/** A status the task is moved to outside an update (approvals); the worker's silence clock restarts. */
export const statusColumns = (status: TaskStatus) => ({ status, heartbeatAt: Date.now(), updatedAt: isoNow() });

export const newApprovalRow = (taskId: string, action: string, detail: string | undefined) => ({
  id: newId(),
  taskId,
  action,
  detail: detail ?? null,
  status: 'pending' as const,
  comment: null,
  requestedAt: isoNow(),
  decidedAt: null,
  decidedBy: null,
});

export const decisionColumns = (approve: boolean, decidedBy: string, comment: string | undefined) => ({
  status: approve ? ('approved' as const) : ('rejected' as const),
  comment: comment ?? null,
  decidedAt: isoNow(),
  decidedBy,
});
