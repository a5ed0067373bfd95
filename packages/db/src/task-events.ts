import {
  streamChange,
  type TaskChange,
  type TaskStatus,
  type TaskStreamEvent,
  type TaskTimelineEntry,
} from '@hubbub/core';
import type { Json } from './rows';

/**
 * The task stream's stored form, for both dialects: each change as every
 * subscriber may see it (no sensitive input or result), read back as stream
 * events and as a task's timeline.
 */

/** A change in its stream form, and the event fields it is stored with; `encode` stores JSON the dialect's way. */
export function taskEventOf<Payload>(full: TaskChange, encode: (change: TaskChange) => Payload) {
  const change = streamChange(full);
  return { change, fields: { taskId: change.task.id, type: change.type, payload: encode(change) } };
}

/**
 * A stored task stream event. Events written before tasks could be sensitive
 * lack the flags, and those tasks were shared.
 */
export function toTaskStreamEvent(
  row: { offset: number; taskId: string; payload: unknown },
  json: Json,
): TaskStreamEvent {
  const change = json(row.payload) as TaskChange;
  change.task.sensitive ??= false;
  change.task.redacted ??= false;
  return { offset: row.offset, taskId: row.taskId, change };
}

/** The status a task stream event puts a task in (null: unchanged), for the timeline. */
export const STATUS_OF_EVENT: Record<TaskChange['type'], TaskStatus | null> = {
  run_created: 'queued',
  run_update: null,
  run_complete: 'completed',
  run_failed: 'failed',
  run_cancelled: 'cancelled',
  approval_required: 'awaiting_approval',
  approval_decided: 'in_progress',
};

/** A task's status changes, in order, from its stream events (updates that keep the status are left out). */
export function timelineOf(events: { payload: unknown; at: string }[], json: Json): TaskTimelineEntry[] {
  const entries: TaskTimelineEntry[] = [];
  let last: TaskStatus | null = null;
  for (const row of events) {
    const change = json(row.payload) as TaskChange;
    const status = STATUS_OF_EVENT[change.type] ?? change.task.status;
    if (status === last) continue;
    last = status;
    entries.push({ type: change.type, status, at: row.at });
  }
  return entries;
}
