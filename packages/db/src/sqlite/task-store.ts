import {
  AppError,
  type Approval,
  assertRunning,
  assertTransition,
  LOG_LIMITS,
  notFound,
  streamChange,
  type TaskChange,
  type TaskStore,
  type TaskStreamEvent,
} from '@hubbub/core';
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, lte, min, or, sql } from 'drizzle-orm';
import { newId } from '../ids';
import { assembleStats, parseText, toTask as rowToTask, statsWindow, timelineOf, toTaskStreamEvent } from '../rows';
import type { SqliteDb, SqliteHandle } from './open';
import { approvals, counters, taskEvents, taskLogs, tasks } from './schema';

type Tx = Parameters<Parameters<SqliteDb['transaction']>[0]>[0];
type Db = SqliteDb | Tx;
type TaskRow = typeof tasks.$inferSelect;
const toTask = (r: TaskRow) => rowToTask(r, parseText);
type ApprovalRow = typeof approvals.$inferSelect;

export interface TaskStoreOptions {
  /** Task stream events kept; a resume from further back gets `reset`. */
  retention?: number;
  /** Log lines kept per task; older ones are dropped and counted. */
  logsPerTask?: number;
}

const _parse = (text: string | null): unknown => (text == null ? null : JSON.parse(text));
const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const now = () => new Date().toISOString();

const toApproval = (r: ApprovalRow): Approval => ({ ...r });

export function createSqliteTaskStore(handle: SqliteHandle, options: TaskStoreOptions = {}): TaskStore {
  const { db, epoch } = handle;
  const retention = options.retention ?? 10_000;
  const logsPerTask = options.logsPerTask ?? LOG_LIMITS.linesPerTask;

  const getRow = (tx: Db, id: string) => tx.select().from(tasks).where(eq(tasks.id, id)).get();
  const requireRow = (tx: Db, id: string) => {
    const row = getRow(tx, id);
    if (!row) throw notFound('task');
    return row;
  };

  const head = (tx: Db) =>
    tx.select({ value: counters.value }).from(counters).where(eq(counters.name, 'task_events')).get()?.value ?? 0;

  const nextOffset = (tx: Tx): number => {
    const row = tx
      .insert(counters)
      .values({ name: 'task_events', value: 1 })
      .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
      .returning({ value: counters.value })
      .get();
    return row.value;
  };

  /** Records the change in its stream form: what every subscriber may see (no sensitive input or result). */
  const append = (tx: Tx, full: TaskChange, offset = nextOffset(tx)): TaskStreamEvent => {
    const change = streamChange(full);
    tx.insert(taskEvents)
      .values({ offset, taskId: change.task.id, type: change.type, payload: JSON.stringify(change), createdAt: now() })
      .run();
    if (offset % 100 === 0 && offset > retention) {
      tx.delete(taskEvents)
        .where(lte(taskEvents.offset, offset - retention))
        .run();
    }
    return { offset, taskId: change.task.id, change };
  };

  /** Writes `set` on the task and returns the fresh task with its event. */
  const write = (tx: Tx, id: string, set: Partial<TaskRow>, type: TaskChange['type']) => {
    tx.update(tasks)
      .set({ ...set, updatedAt: now() })
      .where(eq(tasks.id, id))
      .run();
    const task = toTask(requireRow(tx, id));
    return { task, event: append(tx, { type, task } as TaskChange) };
  };

  return {
    epoch: () => epoch,

    async create(input) {
      return db.transaction((tx) => {
        const offset = nextOffset(tx);
        const at = now();
        const id = newId();
        tx.insert(tasks)
          .values({
            id,
            seq: offset,
            title: input.title,
            agent: input.agent ?? null,
            status: 'queued',
            input: json(input.input),
            progressTotal: input.totalSteps ?? null,
            createdBy: input.createdBy,
            sensitive: input.sensitive ?? false,
            createdAt: at,
            updatedAt: at,
          })
          .run();
        const task = toTask(requireRow(tx, id));
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
        .limit(limit + 1)
        .all();
      const more = rows.length > limit;
      const items = (more ? rows.slice(0, limit) : rows).map(toTask);
      return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
    },

    async claim(agent, workerId) {
      // SQLite runs one writer at a time: select + update in one transaction cannot hand a task out twice.
      return db.transaction((tx) => {
        const row = tx
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.status, 'queued'), or(eq(tasks.agent, agent), isNull(tasks.agent))))
          .orderBy(asc(tasks.seq))
          .limit(1)
          .get();
        if (!row) return null;
        const at = now();
        return write(
          tx,
          row.id,
          { status: 'in_progress', agent, workerId, startedAt: at, heartbeatAt: Date.now() },
          'run_update',
        );
      });
    },

    async update(id, patch, eventType) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        const set: Partial<TaskRow> = { heartbeatAt: Date.now() };
        if (patch.status) {
          assertTransition(row.status, patch.status);
          set.status = patch.status;
          if (patch.status === 'completed' || patch.status === 'failed' || patch.status === 'cancelled') {
            set.completedAt = now();
          }
        } else {
          assertRunning(row.status);
        }
        if (patch.progress) {
          if (patch.progress.current !== undefined) set.progressCurrent = patch.progress.current;
          if (patch.progress.total !== undefined) set.progressTotal = patch.progress.total;
          if (patch.progress.step !== undefined) set.progressStep = patch.progress.step;
        }
        if (patch.error !== undefined) set.error = patch.error;
        if (patch.result !== undefined) set.result = json(patch.result);
        // A pending approval dies with its task.
        if (set.status && set.status !== 'awaiting_approval' && row.status === 'awaiting_approval') {
          tx.update(approvals)
            .set({ status: 'rejected', decidedAt: now(), comment: `task ${set.status}` })
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
        const at = now();
        const stored = lines.map((line, i) => ({ taskId: id, seq: row.logSeq + i + 1, at, line }));
        tx.insert(taskLogs).values(stored).run();
        const logSeq = row.logSeq + lines.length;
        const keepFrom = logSeq - logsPerTask;
        let dropped = 0;
        if (keepFrom > 0) {
          dropped = tx
            .delete(taskLogs)
            .where(and(eq(taskLogs.taskId, id), lte(taskLogs.seq, keepFrom)))
            .run().changes;
        }
        tx.update(tasks)
          .set({ logSeq, logsDropped: row.logsDropped + dropped, heartbeatAt: Date.now() })
          .where(eq(tasks.id, id))
          .run();
        return {
          task: toTask({ ...row, logSeq, logsDropped: row.logsDropped + dropped }),
          lines: stored.map(({ seq, at: when, line }) => ({ seq, at: when, line })),
        };
      });
    },

    async logs(id, limit) {
      const rows = db
        .select({ seq: taskLogs.seq, at: taskLogs.at, line: taskLogs.line })
        .from(taskLogs)
        .where(eq(taskLogs.taskId, id))
        .orderBy(desc(taskLogs.seq))
        .limit(limit)
        .all();
      return rows.reverse();
    },

    async requestApproval(id, action, detail) {
      return db.transaction((tx) => {
        const row = requireRow(tx, id);
        assertTransition(row.status, 'awaiting_approval');
        const approval: ApprovalRow = {
          id: newId(),
          taskId: id,
          action,
          detail: detail ?? null,
          status: 'pending',
          comment: null,
          requestedAt: now(),
          decidedAt: null,
          decidedBy: null,
        };
        tx.insert(approvals).values(approval).run();
        tx.update(tasks)
          .set({ status: 'awaiting_approval', heartbeatAt: Date.now(), updatedAt: now() })
          .where(eq(tasks.id, id))
          .run();
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
        const decided: ApprovalRow = {
          ...found,
          status: approve ? 'approved' : 'rejected',
          comment: comment ?? null,
          decidedAt: now(),
          decidedBy,
        };
        tx.update(approvals).set(decided).where(eq(approvals.id, approvalId)).run();
        // The worker learns the answer and goes on (or winds down) itself; its silence clock restarts now.
        tx.update(tasks)
          .set({ status: 'in_progress', heartbeatAt: Date.now(), updatedAt: now() })
          .where(eq(tasks.id, row.id))
          .run();
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
      return db.transaction((tx) => {
        const h = head(tx);
        const oldest = tx
          .select({ offset: min(taskEvents.offset) })
          .from(taskEvents)
          .get()?.offset;
        return { epoch, head: h, oldestRetained: oldest ?? h + 1 };
      });
    },

    async eventsAfter(after, limit, taskId) {
      return db
        .select()
        .from(taskEvents)
        .where(and(gt(taskEvents.offset, after), taskId ? eq(taskEvents.taskId, taskId) : undefined))
        .orderBy(asc(taskEvents.offset))
        .limit(limit)
        .all()
        .map((row) => toTaskStreamEvent(row, parseText));
    },
  };
}
