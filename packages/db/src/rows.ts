/**
 * Rows (SQLite or PostgreSQL: the same column names) → domain objects. The
 * dialects differ only in how JSON comes back: text to parse on SQLite, a
 * value already on PostgreSQL — hence `json`.
 */
import type { Channel, Message, MessageMeta, Task, TaskChange, TaskStatus } from '@hubbub/core';

type Json = (stored: unknown) => unknown;

export interface ChannelRow {
  id: string;
  slug: string;
  name: string;
  topic: string | null;
  visibility: 'public' | 'private';
  createdBy: string | null;
  memberCount: number | string;
  lastMessageAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  lastOffset: number;
}

export const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  topic: r.topic,
  visibility: r.visibility,
  createdBy: r.createdBy,
  memberCount: Number(r.memberCount),
  lastMessageAt: r.lastMessageAt,
  archivedAt: r.archivedAt,
  createdAt: r.createdAt,
  lastOffset: r.lastOffset,
});

export interface MessageRow {
  id: string;
  seq: number;
  channelId: string;
  authorId: string | null;
  authorHandle: string | null;
  authorName: string | null;
  role: Message['role'];
  status: Message['status'];
  content: string;
  clientId: string | null;
  meta: unknown;
  createdAt: string;
  editedAt: string | null;
}

export const toMessage = (r: MessageRow, json: Json): Message => ({
  id: r.id,
  seq: r.seq,
  channelId: r.channelId,
  authorId: r.authorId,
  author: r.authorHandle ? { handle: r.authorHandle, displayName: r.authorName ?? r.authorHandle } : null,
  role: r.role,
  status: r.status,
  content: r.content,
  clientId: r.clientId,
  meta: (json(r.meta) as MessageMeta | null) ?? null,
  createdAt: r.createdAt,
  editedAt: r.editedAt,
});

export interface TaskRow {
  id: string;
  seq: number;
  title: string;
  agent: string | null;
  status: TaskStatus;
  input: unknown;
  progressCurrent: number;
  progressTotal: number | null;
  progressStep: string | null;
  error: string | null;
  result: unknown;
  createdBy: string | null;
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
  logsDropped: number;
}

export const toTask = (r: TaskRow, json: Json): Task => ({
  id: r.id,
  seq: r.seq,
  title: r.title,
  agent: r.agent,
  status: r.status,
  input: json(r.input) ?? null,
  progress: { current: r.progressCurrent, total: r.progressTotal, step: r.progressStep },
  error: r.error,
  result: json(r.result) ?? null,
  createdBy: r.createdBy,
  workerId: r.workerId,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  completedAt: r.completedAt,
  updatedAt: r.updatedAt,
  logsDropped: r.logsDropped,
});

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

/** JSON stored as text (SQLite). */
export const parseText: Json = (stored) => (stored == null ? null : JSON.parse(stored as string));
/** JSON stored as a value (PostgreSQL jsonb). */
export const asValue: Json = (stored) => stored ?? null;
