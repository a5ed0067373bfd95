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
import { assembleStats, parseText, toTask as rowToTask, statsWindow, toText } from '../rows';
import type { TaskStoreOptions } from '../store-options';
import { taskStream } from '../streams';
import { taskEventOf, timelineOf, toTaskStreamEvent } from '../task-events';
import * as writes from '../task-writes';
import { isoNow } from '../time';
import { inlineLimit } from './inline-limit';
import type { SqliteDb, SqliteHandle, SqliteTx as Tx } from './open';
import { approvals, taskEvents, taskLogs, tasks } from './schema';
import { createSqliteStreamLog } from './stream-log';

type Db = SqliteDb | Tx;
type TaskRow = typeof tasks.$inferSelect;
const toTask = (r: TaskRow) => rowToTask(r, parseText);
type ApprovalRow = typeof approvals.$inferSelect;

const toApproval = (r: ApprovalRow): Approval => ({ ...r });

export function createSqliteTaskStore(handle: SqliteHandle, options: TaskStoreOptions = {}): TaskStore {
  const { db, epoch } = handle;
  const log = createSqliteStreamLog(handle, taskStream, options.retention);
  const logsPerTask = options.logsPerTask ?? LOG_LIMITS.linesPerTask;

  const getRow = (tx: Db, id: string) => tx.select().from(tasks).where(eq(tasks.id, id)).get();
  const requireRow = (tx: Db, id: string) => {
    const row = getRow(tx, id);
    if (!row) throw notFound('task');
    return row;
  };

  /** Records the change in its stream form, at `offset` when it was taken already (log.next). */
  const append = (tx: Tx, full: TaskChange, offset = log.next(tx, null)): TaskStreamEvent => {
    const { change, fields } = taskEventOf(full, JSON.stringify);
    log.write(tx, offset, fields);
    return { offset, taskId: change.task.id, change };
  };

  /** Writes `set` on the task and returns the fresh task with its event. */
  const write = (tx: Tx, id: string, set: Partial<TaskRow>, type: TaskChange['type']) => {
    tx.update(tasks)
      .set({ ...set, updatedAt: isoNow() })
      .where(eq(tasks.id, id))
      .run();
    const task = toTask(requireRow(tx, id));
    return { task, event: append(tx, { type, task } as TaskChange) };
  };

  return {
    epoch: () => epoch,

    async create(input) {
      return db.transaction((tx) => {
        const offset = log.next(tx, null);
        const row = writes.newTaskRow(input, offset, toText);
        tx.insert(tasks).values(row).run();
        const task = toTask(requireRow(tx, row.id));
        return { task, event: append(tx, { type: 'run_created', task }, offset) };
      });
    },

    async byId(id) {
      const row = getRow(db, id);
      return row ? toTask(row) : null;
    },

    async list({ status, agent, cursor, limit }) {
      const rows = db
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
        .limit(inlineLimit(limit + 1))
        .all();
      return newestFirstPage(rows, limit, toTask);
    },

    async claim(agent, workerId) {
      // SQLite runs one writer at a time: select + update in one transaction cannot hand a task out twice.
      return db.transaction((tx) => {
        const row = tx
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.status, 'queued'), or(eq(tasks.agent, agent), isNull(tasks.agent))))
          .orderBy(asc(tasks.seq))
          .limit(inlineLimit(1))
          .get();
        if (!row) return null;
        return write(tx, row.id, writes.claimColumns(agent, workerId), 'run_update');
      });
    },

    async update(id, patch, eventType) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        const { set, endApproval } = writes.taskUpdateColumns(row.status, patch, toText);
        if (endApproval) {
          tx.update(approvals)
            .set(endApproval)
            .where(and(eq(approvals.taskId, id), eq(approvals.status, 'pending')))
            .run();
        }
        return write(tx, id, set, eventType);
      });
    },

    async heartbeat(id) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        assertRunning(row.status);
        tx.update(tasks).set({ heartbeatAt: Date.now() }).where(eq(tasks.id, id)).run();
        return toTask({ ...row, heartbeatAt: Date.now() });
      });
    },

    async appendLogs(id, lines) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        assertRunning(row.status);
        const appended = writes.appendedLogLines(row, lines, logsPerTask);
        tx.insert(taskLogs).values(appended.stored).run();
        const { logSeq, dropThrough } = appended;
        let dropped = 0;
        if (dropThrough > 0) {
          dropped = tx
            .delete(taskLogs)
            .where(and(eq(taskLogs.taskId, id), lte(taskLogs.seq, dropThrough)))
            .run().changes;
        }
        const logsDropped = row.logsDropped + dropped;
        tx.update(tasks).set({ logSeq, logsDropped, heartbeatAt: Date.now() }).where(eq(tasks.id, id)).run();
        return { task: toTask({ ...row, logSeq, logsDropped }), lines: appended.lines };
      });
    },

    async logs(id, limit) {
      const rows = db
        .select({ seq: taskLogs.seq, at: taskLogs.at, line: taskLogs.line })
        .from(taskLogs)
        .where(eq(taskLogs.taskId, id))
        .orderBy(desc(taskLogs.seq))
        .limit(inlineLimit(limit))
        .all();
      return rows.reverse();
    },

    async requestApproval(id, action, detail) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        assertTransition(row.status, 'awaiting_approval');
        const approval: ApprovalRow = writes.newApprovalRow(id, action, detail);
        tx.insert(approvals).values(approval).run();
        tx.update(tasks).set(writes.statusColumns('awaiting_approval')).where(eq(tasks.id, id)).run();
        const task = toTask(requireRow(tx, id));
        const event = append(tx, { type: 'approval_required', task, approval: toApproval(approval) });
        return { task, approval: toApproval(approval), event };
      });
    },

    async decide(approvalId, approve, decidedBy, comment) {
      return db.transaction((tx) => {
        const found = tx.select().from(approvals).where(eq(approvals.id, approvalId)).get();
        if (!found) throw notFound('approval');
        if (found.status !== 'pending') throw new AppError('CONFLICT', `this approval was already ${found.status}`);
        const row = requireRow(tx, found.taskId);
        assertTransition(row.status, 'in_progress');
        const decided: ApprovalRow = { ...found, ...writes.decisionColumns(approve, decidedBy, comment) };
        tx.update(approvals).set(decided).where(eq(approvals.id, approvalId)).run();
        // The worker learns the answer and goes on (or winds down) itself; its silence clock restarts now.
        tx.update(tasks).set(writes.statusColumns('in_progress')).where(eq(tasks.id, row.id)).run();
        const task = toTask(requireRow(tx, row.id));
        const approval = toApproval(decided);
        return { task, approval, event: append(tx, { type: 'approval_decided', task, approval }) };
      });
    },

    async approvals(taskId) {
      return db.select().from(approvals).where(eq(approvals.taskId, taskId)).orderBy(asc(approvals.requestedAt)).all();
    },

    async timeline(taskId) {
      const rows = db
        .select({ type: taskEvents.type, at: taskEvents.createdAt, payload: taskEvents.payload })
        .from(taskEvents)
        .where(eq(taskEvents.taskId, taskId))
        .orderBy(asc(taskEvents.offset))
        .all();
      return timelineOf(rows, parseText);
    },

    async stats(nowMs) {
      const statusCounts = db.select({ status: tasks.status, n: count() }).from(tasks).groupBy(tasks.status).all();
      const { from, until } = statsWindow(nowMs);
      const minute = sql<string>`substr(${tasks.completedAt}, 1, 16)`;
      const rows = db
        .select({ minute, status: tasks.status, n: count() })
        .from(tasks)
        .where(
          and(
            gte(tasks.completedAt, from),
            lt(tasks.completedAt, until),
            inArray(tasks.status, ['completed', 'failed']),
          ),
        )
        .groupBy(minute, tasks.status)
        .all();
      return assembleStats(nowMs, statusCounts, rows);
    },

    async staleRuns(silentSince) {
      return db
        .select()
        .from(tasks)
        .where(and(eq(tasks.status, 'in_progress'), lt(tasks.heartbeatAt, silentSince)))
        .all()
        .map(toTask);
    },

    async streamInfo() {
      return log.info(null);
    },

    async eventsAfter(after, limit, taskId) {
      return log
        .after(db, null, after, limit, taskId ? eq(taskEvents.taskId, taskId) : undefined)
        .map((row) => toTaskStreamEvent(row, parseText));
    },
  };
}
