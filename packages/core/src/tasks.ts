import { z } from 'zod';
import { AppError, type AppErrorDetails, forbidden } from './errors';
import { LIMITS } from './limits';
import type { Role } from './types';

export const TASK_STATUSES = [
  'queued',
  'in_progress',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export interface TaskProgress {
  current: number;
  total: number | null;
  step: string | null;
}

export interface Task {
  id: string;
  /** Creation order; list cursors use it. */
  seq: number;
  title: string;
  agent: string | null;
  status: TaskStatus;
  input: unknown;
  progress: TaskProgress;
  error: string | null;
  result: unknown;
  createdBy: string | null;
  /** The principal (agent key user) running it. */
  workerId: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
  logsDropped: number;
  /** Input, result and log lines are for the creator, the worker, the agent it is for and admins only. */
  sensitive: boolean;
  /** This copy leaves input and result out (both null): the task is sensitive and this reader may not see them. */
  redacted: boolean;
}

export interface TaskLogLine {
  seq: number;
  at: string;
  line: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';
export interface Approval {
  id: string;
  taskId: string;
  action: string;
  detail: string | null;
  status: ApprovalStatus;
  comment: string | null;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

/** Stored (tracked, replayable) task stream events. */
export type TaskChange =
  | { type: 'run_created'; task: Task }
  | { type: 'run_update'; task: Task }
  | { type: 'run_complete'; task: Task }
  | { type: 'run_failed'; task: Task }
  | { type: 'run_cancelled'; task: Task }
  | { type: 'approval_required'; task: Task; approval: Approval }
  | { type: 'approval_decided'; task: Task; approval: Approval };

/**
 * Live only: log lines are read back with task.byId, never replayed. A
 * sensitive task's signal carries no lines (`redacted`): it only says that
 * there are new ones, for the readers allowed to fetch them.
 */
export type TaskSignal = { type: 'log'; taskId: string; lines: TaskLogLine[]; redacted: boolean };

export interface TaskStreamEvent {
  offset: number;
  taskId: string;
  change: TaskChange;
}

export type TaskEvent = TaskChange | TaskSignal | { type: 'reset' };

/** Which status may follow which. Terminal statuses have no way out. */
const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['in_progress', 'cancelled'],
  in_progress: ['awaiting_approval', 'completed', 'failed', 'cancelled'],
  awaiting_approval: ['in_progress', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

const VERB: Record<TaskStatus, string> = {
  queued: 'queue',
  in_progress: 'run',
  awaiting_approval: 'ask approval for',
  completed: 'complete',
  failed: 'fail',
  cancelled: 'cancel',
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws CONFLICT with a sentence a person can act on, e.g. "cannot complete a cancelled task". */
export function assertTransition(from: TaskStatus, to: TaskStatus): void {
  if (canTransition(from, to)) return;
  const state = from.replace('_', ' ');
  throw new AppError('CONFLICT', `cannot ${VERB[to]} a task that is ${state}`, cancelledReason(from));
}

/** Progress and log calls are only meaningful while the worker holds the task. */
export function assertRunning(status: TaskStatus): void {
  if (status === 'in_progress' || status === 'awaiting_approval') return;
  throw new AppError(
    'CONFLICT',
    `the task is ${status.replace('_', ' ')}: stop working on it`,
    cancelledReason(status),
  );
}

/** A worker tells "the task was cancelled" (stop) from other conflicts by this reason, not by the message. */
const cancelledReason = (status: TaskStatus): AppErrorDetails =>
  status === 'cancelled' ? { reason: 'task_cancelled' } : {};

/** Who reads a task: a person, or an API key's identity with the agent names the key was minted for. */
export interface TaskReader {
  id: string;
  role: Role;
  /** The agent names of the reader's API key; none for a person. */
  agents: readonly string[];
}

/** Why a reader sees a task's input, result and log, or `hidden`. */
export type TaskDataAccess = 'shared' | 'admin' | 'creator' | 'worker' | 'agent' | 'hidden';

/**
 * The sharing rule: a task's input, result and log are shared with every
 * signed-in member, unless the task is sensitive; then only with admins, its
 * creator, the worker that claimed it and the agent keys it is meant for.
 */
export function taskDataAccess(
  task: Pick<Task, 'sensitive' | 'createdBy' | 'workerId' | 'agent'>,
  reader: TaskReader,
): TaskDataAccess {
  if (!task.sensitive) return 'shared';
  if (reader.role === 'admin') return 'admin';
  if (task.createdBy === reader.id) return 'creator';
  if (task.workerId === reader.id) return 'worker';
  if (reader.role === 'agent' && task.agent !== null && reader.agents.includes(task.agent)) return 'agent';
  return 'hidden';
}

/** The task without its input and result. */
export function redactTask(task: Task): Task {
  return { ...task, input: null, result: null, redacted: true };
}

/** The task as `reader` may see it. */
export function taskFor(task: Task, reader: TaskReader): Task {
  return taskDataAccess(task, reader) === 'hidden' ? redactTask(task) : task;
}

/**
 * A change as the task stream stores and sends it. The stream is serialized
 * once for all its subscribers, so a sensitive task's input and result are
 * left out for everyone; allowed readers fetch them with task.byId.
 */
export function streamChange(change: TaskChange): TaskChange {
  return change.task.sensitive ? ({ ...change, task: redactTask(change.task) } as TaskChange) : change;
}

/** The live signal for new log lines: without the lines for a sensitive task (same reason as streamChange). */
export function logSignal(task: Pick<Task, 'id' | 'sensitive'>, lines: TaskLogLine[]): TaskSignal {
  return task.sensitive
    ? { type: 'log', taskId: task.id, lines: [], redacted: true }
    : { type: 'log', taskId: task.id, lines, redacted: false };
}

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * An API key claims tasks only for the agent names it was minted for; `allowed`
 * is null for a caller without a key (an admin trying things by hand: anything).
 */
export function assertMayClaim(agent: string, allowed: readonly string[] | null): void {
  if (allowed === null || allowed.includes(agent)) return;
  throw forbidden(`this API key claims tasks only for ${quoted(allowed)}, not for "${agent}"`);
}

export const LOG_LIMITS = { lineLength: 2000, linesPerCall: 100, linesPerTask: 1000 } as const;
/** JSON values (input, result) are kept small: they travel in every task event. */
export const MAX_JSON_BYTES = 64 * 1024;

const utf8 = new TextEncoder();
const ZJson = z.unknown().superRefine((value, ctx) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return;
  }
  // JSON.stringify has no text for a function or a symbol (undefined itself is "no value", handled by optional()).
  if (text === undefined) {
    if (value !== undefined) ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return;
  }
  // The cap is in UTF-8 bytes (what is stored and sent), not UTF-16 characters.
  if (utf8.encode(text).length > MAX_JSON_BYTES) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_JSON_BYTES} bytes of JSON` });
  }
});

export const ZTaskStatus = z.enum(TASK_STATUSES);
const MAX_KEY_AGENTS = 32;
export const ZAgentName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\w.-]+$/, 'use letters, digits, dot, dash or underscore');
const ZTaskId = z.string().min(1).max(64);

export const ZCreateTaskInput = z.object({
  title: z.string().trim().min(1).max(200),
  agent: ZAgentName.optional(),
  input: ZJson.optional(),
  totalSteps: z.number().int().min(1).max(1_000_000).optional(),
  /** Input and result only for the creator, the worker, the agent it is for and admins. */
  sensitive: z.boolean().optional(),
});
export const ZTaskListInput = z.object({
  status: ZTaskStatus.optional(),
  agent: ZAgentName.optional(),
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(100).default(25),
});
export const ZTaskRef = z.object({ id: ZTaskId });
export const ZClaimInput = z.object({ agent: ZAgentName });
export const ZProgressInput = z.object({
  id: ZTaskId,
  current: z.number().int().min(0, 'progress cannot be negative').max(1_000_000),
  total: z.number().int().min(1).max(1_000_000).optional(),
  step: z.string().trim().max(200).optional(),
});
export const ZLogInput = z.object({
  id: ZTaskId,
  lines: z
    .array(z.string().max(LOG_LIMITS.lineLength, `a log line is at most ${LOG_LIMITS.lineLength} characters`))
    .min(1)
    .max(LOG_LIMITS.linesPerCall),
});
export const ZCompleteInput = z.object({ id: ZTaskId, result: ZJson.optional() });
export const ZFailInput = z.object({ id: ZTaskId, error: z.string().trim().min(1).max(2000) });
export const ZRequestApprovalInput = z.object({
  id: ZTaskId,
  action: z.string().trim().min(1).max(200),
  detail: z.string().max(4000).optional(),
});
export const ZDecideInput = z.object({
  approvalId: ZTaskId,
  approve: z.boolean(),
  comment: z.string().trim().max(1000).optional(),
});
export const ZTaskEventInput = z.object({ taskId: ZTaskId.optional(), lastEventId: z.string().max(80).nullish() });
export const ZCreateApiKeyInput = z.object({
  // The name becomes the key's user handle: lowercase and within the handle limits, like ZHandle.
  name: z
    .string()
    .trim()
    .toLowerCase()
    .min(LIMITS.handle.min)
    .max(LIMITS.handle.max)
    .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'use letters, digits, dot, dash or underscore'),
  role: z.enum(['agent', 'member']).default('agent'),
  /** The agent names the key may claim tasks for; absent: just its own name. */
  agents: z
    .array(ZAgentName)
    .min(1, 'name at least one agent')
    .max(MAX_KEY_AGENTS, `at most ${MAX_KEY_AGENTS} agents per key`)
    .transform((names) => [...new Set(names)])
    .optional(),
});
export const ZApiKeyRef = z.object({ id: z.string().min(1).max(64) });
