import {
  AppError,
  type Approval,
  assertRunning,
  assertTransition,
  LOG_LIMITS,
  notFound,
  type TaskChange,
  type TaskStore,
  type TaskStreamEvent,
} from '@hubbub/core';
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { newestFirstPage } from '../paging';
import { assembleStats, asValue, toTask as rowToTask, statsWindow, toValue } from '../rows';
import type { TaskStoreOptions } from '../store-options';
import { taskStream } from '../streams';
import { taskEventOf, timelineOf, toTaskStreamEvent } from '../task-events';
import * as writes from '../task-writes';
import { isoNow } from '../time';
import type { PgDb, PgHandle, PgTx } from './open';
import { approvals, taskEvents, taskLogs, tasks } from './schema';
import { createPgStreamLog } from './stream-log';

type Db = PgDb | PgTx;
type TaskRow = typeof tasks.$inferSelect;
const toTask = (r: TaskRow) => rowToTask(r, asValue);
type ApprovalRow = typeof approvals.$inferSelect;

const toApproval = ({ seq: _, ...r }: ApprovalRow): Approval => ({ ...r });

/**
 * The TaskStore on PostgreSQL. The task stream has one counter row; every
 * writing transaction bumps it last (log.next: `… + 1 RETURNING`), which
 * locks it until commit, so offsets are gap-free and commit in order across
 * instances.
 *
 * Lock order, to stay clear of deadlocks: the task row (`FOR UPDATE`), then
 * its approvals, then the stream counter.
 */
export function createPgTaskStore(handle: PgHandle, options: TaskStoreOptions = {}): TaskStore {
  const { db, epoch } = handle;
  const log = createPgStreamLog(handle, taskStream, options.retention);
  const logsPerTask = options.logsPerTask ?? LOG_LIMITS.linesPerTask;

  const getRow = async (tx: Db, id: string) => (await tx.select().from(tasks).where(eq(tasks.id, id)))[0];
  /** The task, locked until commit: status checks and writes cannot interleave with another instance's. */
  const lockRow = async (tx: PgTx, id: string) => {
    const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for('update');
    if (!row) throw notFound('task');
    return row;
  };

  /** Records the change in its stream form, at `given` when the offset was taken already (log.next). */
  const append = async (tx: PgTx, full: TaskChange, given?: number): Promise<TaskStreamEvent> => {
    const { change, fields } = taskEventOf(full, toValue);
    const offset = given ?? (await log.next(tx, null));
    await log.write(tx, offset, fields);
    return { offset, taskId: change.task.id, change };
  };

  /** Writes `set` on the (locked) task and returns the fresh task with its event. */
  const write = async (tx: PgTx, id: string, set: Partial<TaskRow>, type: TaskChange['type']) => {
    const [row] = await tx
      .update(tasks)
      .set({ ...set, updatedAt: isoNow() })
      .where(eq(tasks.id, id))
      .returning();
    if (!row) throw notFound('task');
    const task = toTask(row);
    return { task, event: await append(tx, { type, task } as TaskChange) };
  };

  return {
    epoch: () => epoch,

    async create(input) {
      return db.transaction(async (tx) => {
        const offset = await log.next(tx, null);
        const [row] = await tx
          .insert(tasks)
          .values(writes.newTaskRow(input, offset, toValue))
          .returning();
        if (!row) throw new Error('the task was not stored');
        const task = toTask(row);
        return { task, event: await append(tx, { type: 'run_created', task }, offset) };
      });
    },

    async byId(id) {
      const row = await getRow(db, id);
      return row ? toTask(row) : null;
    },

    async list({ status, agent, cursor, limit }) {
      const rows = await db
        .select()
        .from(tasks)
        .where(
          and(
            status ? eq(tasks.status, status) : undefined,
            agent ? eq(tasks.agent, agent) : undefined,
            cursor ? lt(tasks.seq, cursor) : undefined,
          ),
        )
        .orderBy(desc(tasks.seq))
        .limit(limit + 1);
      return newestFirstPage(rows, limit, toTask);
    },

    async claim(agent, workerId) {
      return db.transaction(async (tx) => {
        // SKIP LOCKED: racing claims (on any instance) each lock a different queued task instead of waiting in line.
        const [row] = await tx
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.status, 'queued'), or(eq(tasks.agent, agent), isNull(tasks.agent))))
          .orderBy(asc(tasks.seq))
          .limit(1)
          .for('update', { skipLocked: true });
        if (!row) return null;
        return write(tx, row.id, writes.claimColumns(agent, workerId), 'run_update');
      });
    },

    async update(id, patch, eventType) {
      return db.transaction(async (tx) => {
        const row = await lockRow(tx, id);
        const { set, endApproval } = writes.taskUpdateColumns(row.status, patch, toValue);
        if (endApproval) {
          await tx
            .update(approvals)
            .set(endApproval)
            .where(and(eq(approvals.taskId, id), eq(approvals.status, 'pending')));
        }
        return write(tx, id, set, eventType);
      });
    },

    async heartbeat(id) {
      return db.transaction(async (tx) => {
        const row = await lockRow(tx, id);
        assertRunning(row.status);
        const heartbeatAt = Date.now();
        await tx.update(tasks).set({ heartbeatAt }).where(eq(tasks.id, id));
        return toTask({ ...row, heartbeatAt });
      });
    },

    async appendLogs(id, lines) {
      return db.transaction(async (tx) => {
        // Locked: two writers on two instances must not number their lines alike.
        const row = await lockRow(tx, id);
        assertRunning(row.status);
        const appended = writes.appendedLogLines(row, lines, logsPerTask);
        if (appended.stored.length > 0) await tx.insert(taskLogs).values(appended.stored);
        const { logSeq, dropThrough } = appended;
        let dropped = 0;
        if (dropThrough > 0) {
          dropped = (
            await tx
              .delete(taskLogs)
              .where(and(eq(taskLogs.taskId, id), lte(taskLogs.seq, dropThrough)))
              .returning({ seq: taskLogs.seq })
          ).length;
        }
        const logsDropped = row.logsDropped + dropped;
        await tx.update(tasks).set({ logSeq, logsDropped, heartbeatAt: Date.now() }).where(eq(tasks.id, id));
        return { task: toTask({ ...row, logSeq, logsDropped }), lines: appended.lines };
      });
    },

    async logs(id, limit) {
      const rows = await db
        .select({ seq: taskLogs.seq, at: taskLogs.at, line: taskLogs.line })
        .from(taskLogs)
        .where(eq(taskLogs.taskId, id))
        .orderBy(desc(taskLogs.seq))
        .limit(limit);
      return rows.reverse();
    },

    async requestApproval(id, action, detail) {
      return db.transaction(async (tx) => {
        const row = await lockRow(tx, id);
        assertTransition(row.status, 'awaiting_approval');
        const [stored] = await tx
          .insert(approvals)
          .values(writes.newApprovalRow(id, action, detail))
          .returning();
        if (!stored) throw new Error('the approval was not stored');
        const [updated] = await tx
          .update(tasks)
          .set(writes.statusColumns('awaiting_approval'))
          .where(eq(tasks.id, id))
          .returning();
        if (!updated) throw notFound('task');
        const task = toTask(updated);
        const approval = toApproval(stored);
        const event = await append(tx, { type: 'approval_required', task, approval });
        return { task, approval, event };
      });
    },

    async decide(approvalId, approve, decidedBy, comment) {
      return db.transaction(async (tx) => {
        const [seen] = await tx
          .select({ taskId: approvals.taskId })
          .from(approvals)
          .where(eq(approvals.id, approvalId));
        if (!seen) throw notFound('approval');
        // The task first (every writer of approvals holds it), then a fresh look at the approval.
        const row = await lockRow(tx, seen.taskId);
        const [found] = await tx.select().from(approvals).where(eq(approvals.id, approvalId));
        if (!found) throw notFound('approval');
        if (found.status !== 'pending') throw new AppError('CONFLICT', `this approval was already ${found.status}`);
        assertTransition(row.status, 'in_progress');
        const [decided] = await tx
          .update(approvals)
          .set(writes.decisionColumns(approve, decidedBy, comment))
          .where(eq(approvals.id, approvalId))
          .returning();
        if (!decided) throw notFound('approval');
        // The worker learns the answer and goes on (or winds down) itself; its silence clock restarts now.
        const [updated] = await tx
          .update(tasks)
          .set(writes.statusColumns('in_progress'))
          .where(eq(tasks.id, row.id))
          .returning();
        if (!updated) throw notFound('task');
        const task = toTask(updated);
        const approval = toApproval(decided);
        return { task, approval, event: await append(tx, { type: 'approval_decided', task, approval }) };
      });
    },

    async approvals(taskId) {
      const rows = await db.select().from(approvals).where(eq(approvals.taskId, taskId)).orderBy(asc(approvals.seq));
      return rows.map(toApproval);
    },

    async timeline(taskId) {
      const rows = await db
        .select({ type: taskEvents.type, at: taskEvents.createdAt, payload: taskEvents.payload })
        .from(taskEvents)
        .where(eq(taskEvents.taskId, taskId))
        .orderBy(asc(taskEvents.offset));
      return timelineOf(rows, asValue);
    },

    async stats(nowMs) {
      const statusCounts = await db.select({ status: tasks.status, n: count() }).from(tasks).groupBy(tasks.status);
      const { from, until } = statsWindow(nowMs);
      // The same key as `toISOString().slice(0, 16)`.
      const minute = sql<string>`to_char(${tasks.completedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI')`;
      const rows = await db
        .select({ minute, status: tasks.status, n: count() })
        .from(tasks)
        .where(
          and(
            gte(tasks.completedAt, from),
            lt(tasks.completedAt, until),
            inArray(tasks.status, ['completed', 'failed']),
          ),
        )
        .groupBy(minute, tasks.status);
      return assembleStats(nowMs, statusCounts, rows);
    },

    async staleRuns(silentSince) {
      const rows = await db
        .select()
        .from(tasks)
        .where(and(eq(tasks.status, 'in_progress'), lt(tasks.heartbeatAt, silentSince)))
        .orderBy(asc(tasks.seq));
      return rows.map(toTask);
    },

    async streamInfo() {
      return log.info(null);
    },

    async eventsAfter(after, limit, taskId) {
      const rows = await log.after(db, null, after, limit, taskId ? eq(taskEvents.taskId, taskId) : undefined);
      return rows.map((row) => toTaskStreamEvent(row, asValue));
    },
  };
}
