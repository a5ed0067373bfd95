import type { Approval, Task, TaskChange, TaskEnvelope, TaskListPage } from './types';

/** Builders for the task unit tests: plain data, one minute apart per seq, updates one second apart. */

export function task(seq: number, patch: Partial<Task> = {}): Task {
  const createdAt = new Date(Date.UTC(2024, 0, 1, 12, seq)).toISOString();
  return {
    id: `t${seq}`,
    seq,
    title: `task ${seq}`,
    agent: 'builder',
    status: 'queued',
    input: null,
    progress: { current: 0, total: 3, step: null },
    error: null,
    result: null,
    createdBy: 'u1',
    workerId: null,
    createdAt,
    startedAt: null,
    completedAt: null,
    updatedAt: createdAt,
    logsDropped: 0,
    sensitive: false,
    redacted: false,
    ...patch,
  };
}

/** The same task `seconds` later, with changes. */
export function later(t: Task, seconds: number, patch: Partial<Task> = {}): Task {
  return { ...t, ...patch, updatedAt: new Date(Date.parse(t.updatedAt) + seconds * 1000).toISOString() };
}

export function approval(t: Task, patch: Partial<Approval> = {}): Approval {
  return {
    id: `a-${t.id}`,
    taskId: t.id,
    action: 'deploy',
    detail: null,
    status: 'pending',
    comment: null,
    requestedAt: t.updatedAt,
    decidedAt: null,
    decidedBy: null,
    ...patch,
  };
}

export const page = (items: Task[], eventId: string, nextCursor: number | null = null): TaskListPage => ({
  items: [...items].sort((a, b) => b.seq - a.seq),
  nextCursor,
  eventId,
});

export const envelope = (offset: number, change: TaskChange): TaskEnvelope => ({ id: `ep:${offset}`, data: change });
