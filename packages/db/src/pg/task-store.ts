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
import { assembleStats, asValue, toTask as rowToTask, statsWindow, timelineOf, toTaskStreamEvent } from '../rows';
import type { TaskStoreOptions } from '../sqlite/task-store';
import type { PgDb, PgHandle, PgTx } from './open';
import { approvals, counters, taskEvents, taskLogs, tasks } from './schema';

type Db = PgDb | PgTx;
type TaskRow = typeof tasks.$inferSelect;
const toTask = (r: TaskRow) => rowToTask(r, asValue);
type ApprovalRow = typeof approvals.$inferSelect;

const SNAPSHOT = { isolationLevel: 'repeatable read', accessMode: 'read only' } as const;
const STREAM = 'task_events';
const now = () => new Date().toISOString();

const toApproval = ({ seq: _, ...r }: ApprovalRow): Approval => ({ ...r });

/**
 * The TaskStore on PostgreSQL. The task stream has one counter row; every
 * writing transaction bumps it last (`… + 1 RETURNING`), which locks it until
 * commit, so offsets are gap-free and commit in order across instances.
 *
 * Lock order, to stay clear of deadlocks: the task row (`FOR UPDATE`), then
 * its approvals, then the stream counter.
 */
export function createPgTaskStore(handle: PgHandle, options: TaskStoreOptions = {}): TaskStore {
  const { db, epoch } = handle;
  const retention = options.retention ?? 10_000;
  const logsPerTask = options.logsPerTask ?? LOG_LIMITS.linesPerTask;

  const getRow = async (tx: Db, id: string) => (await tx.select().from(tasks).where(eq(tasks.id, id)))[0];
  /** The task, locked until commit: status checks and writes cannot interleave with another instance's. */
  const lockRow = async (tx: PgTx, id: string) => {
    const [row] = await tx.select().from(tasks).where(eq(tasks.id, id)).for('update');
    if (!row) throw notFound('task');
    return row;
  };

  const head = async (tx: Db) =>
    (await tx.select({ value: counters.value }).from(counters).where(eq(counters.name, STREAM)))[0]?.value ?? 0;

  const nextOffset = async (tx: PgTx): Promise<number> => {
    const [row] = await tx
      .insert(counters)
      .values({ name: STREAM, value: 1 })
      .onConflictDoUpdate({ target: counters.name, set: { value: sql`${counters.value} + 1` } })
      .returning({ value: counters.value });
    if (!row) throw new Error('the task stream counter did not move');
    return row.value;
  };

  /** Records the change in its stream form: what every subscriber may see (no sensitive input or result). */
  const append = async (tx: PgTx, full: TaskChange, given?: number): Promise<TaskStreamEvent> => {
    const change = streamChange(full);
    const offset = given ?? (await nextOffset(tx));
    await tx
      .insert(taskEvents)
      .values({ offset, taskId: change.task.id, type: change.type, payload: change, createdAt: now() });
    if (offset % 100 === 0 && offset > retention) {
      await tx.delete(taskEvents).where(lte(taskEvents.offset, offset - retention));
    }
    return { offset, taskId: change.task.id, change };
  };

  /** Writes `set` on the (locked) task and returns the fresh task with its event. */
  const write = async (tx: PgTx, id: string, set: Partial<TaskRow>, type: TaskChange['type']) => {
    const [row] = await tx
      .update(tasks)
      .set({ ...set, updatedAt: now() })
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
        const offset = await nextOffset(tx);
        const at = now();
        const [row] = await tx
          .insert(tasks)
          .values({
            id: newId(),
            seq: offset,
            title: input.title,
            agent: input.agent ?? null,
            status: 'queued',
            input: input.input ?? null,
            progressTotal: input.totalSteps ?? null,
            createdBy: input.createdBy,
            sensitive: input.sensitive ?? false,
            createdAt: at,
            updatedAt: at,
          })
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
      const more = rows.length > limit;
      const items = (more ? rows.slice(0, limit) : rows).map(toTask);
      return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
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
        return write(
          tx,
          row.id,
          { status: 'in_progress', agent, workerId, startedAt: now(), heartbeatAt: Date.now() },
          'run_update',
        );
      });
    },

    async update(id, patch, eventType) {
      return db.transaction(async (tx) => {
        const row = await lockRow(tx, id);
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
        if (patch.result !== undefined) set.result = patch.result;
        // A pending approval dies with its task.
        if (set.status && set.status !== 'awaiting_approval' && row.status === 'awaiting_approval') {
          await tx
            .update(approvals)
            .set({ status: 'rejected', decidedAt: now(), comment: `task ${set.status}` })
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
        const at = now();
        const stored = lines.map((line, i) => ({ taskId: id, seq: row.logSeq + i + 1, at, line }));
        if (stored.length > 0) await tx.insert(taskLogs).values(stored);
        const logSeq = row.logSeq + lines.length;
        const keepFrom = logSeq - logsPerTask;
        let dropped = 0;
        if (keepFrom > 0) {
          dropped = (
            await tx
              .delete(taskLogs)
              .where(and(eq(taskLogs.taskId, id), lte(taskLogs.seq, keepFrom)))
              .returning({ seq: taskLogs.seq })
          ).length;
        }
        const logsDropped = row.logsDropped + dropped;
        await tx.update(tasks).set({ logSeq, logsDropped, heartbeatAt: Date.now() }).where(eq(tasks.id, id));
        return {
          task: toTask({ ...row, logSeq, logsDropped }),
          lines: stored.map(({ seq, at: when, line }) => ({ seq, at: when, line })),
        };
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
          .values({
            id: newId(),
            taskId: id,
            action,
            detail: detail ?? null,
            status: 'pending',
            comment: null,
            requestedAt: now(),
            decidedAt: null,
            decidedBy: null,
          })
          .returning();
        if (!stored) throw new Error('the approval was not stored');
        const [updated] = await tx
          .update(tasks)
          .set({ status: 'awaiting_approval', heartbeatAt: Date.now(), updatedAt: now() })
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
          .set({ status: approve ? 'approved' : 'rejected', comment: comment ?? null, decidedAt: now(), decidedBy })
          .where(eq(approvals.id, approvalId))
          .returning();
        if (!decided) throw notFound('approval');
        // The worker learns the answer and goes on (or winds down) itself; its silence clock restarts now.
        const [updated] = await tx
          .update(tasks)
          .set({ status: 'in_progress', heartbeatAt: Date.now(), updatedAt: now() })
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
      return db.transaction(async (tx) => {
        const h = await head(tx);
        const [oldest] = await tx.select({ offset: min(taskEvents.offset) }).from(taskEvents);
        return { epoch, head: h, oldestRetained: oldest?.offset ?? h + 1 };
      }, SNAPSHOT);
    },

    async eventsAfter(after, limit, taskId) {
      const rows = await db
        .select()
        .from(taskEvents)
        .where(and(gt(taskEvents.offset, after), taskId ? eq(taskEvents.taskId, taskId) : undefined))
        .orderBy(asc(taskEvents.offset))
        .limit(limit);
      return rows.map((row) => toTaskStreamEvent(row, asValue));
    },
  };
}
