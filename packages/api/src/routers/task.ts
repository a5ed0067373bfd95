import {
  assertMayClaim,
  forbidden,
  formatEventId,
  logSignal,
  type TaskChange,
  type TaskSignal,
  taskDataAccess,
  taskFor,
  ZClaimInput,
  ZCompleteInput,
  ZCreateTaskInput,
  ZDecideInput,
  ZFailInput,
  ZLogInput,
  ZProgressInput,
  ZRequestApprovalInput,
  ZTaskEventInput,
  ZTaskListInput,
  ZTaskRef,
} from '@hubbub/core';
import { ResumableStream, type StreamSource } from '../resumable-stream';
import {
  approvers,
  keyAgents,
  publishTask,
  publishTaskSignal,
  requireOwnTask,
  requireTask,
  TASKS_TOPIC,
  taskReader,
} from '../task-access';
import {
  agentProcedure,
  agentWriteProcedure,
  humanWriteProcedure,
  protectedProcedure,
  router,
  writeProcedure,
} from '../trpc';
import { tellUsers } from '../user-events';

const LOG_LINES_IN_DETAIL = 200;

export const taskRouter = router({
  create: writeProcedure.input(ZCreateTaskInput).mutation(async ({ input, ctx }) => {
    const { task, event } = await ctx.deps.stores.tasks.create({ ...input, createdBy: ctx.user.id });
    await publishTask(ctx.deps, event);
    return task;
  }),

  /**
   * A page of tasks, newest first, with `eventId`: subscribe with it as lastEventId to miss nothing since.
   * Sensitive tasks come without input and result (`redacted`) to readers who may not see them.
   */
  list: protectedProcedure.input(ZTaskListInput).query(async ({ input, ctx }) => {
    const reader = await taskReader(ctx.deps, ctx.user, ctx.apiKeyId);
    // The position is read first: anything after it is replayed, so nothing falls between read and subscribe.
    const { epoch, head } = await ctx.deps.stores.tasks.streamInfo();
    const page = await ctx.deps.stores.tasks.list(input);
    return { ...page, items: page.items.map((task) => taskFor(task, reader)), eventId: formatEventId(epoch, head) };
  }),

  /** The task with its log, approvals and timeline; a sensitive task's input, result and log only for allowed readers. */
  byId: protectedProcedure.input(ZTaskRef).query(async ({ input, ctx }) => {
    const [found, reader] = await Promise.all([
      requireTask(ctx.deps, input.id),
      taskReader(ctx.deps, ctx.user, ctx.apiKeyId),
    ]);
    const hidden = taskDataAccess(found, reader) === 'hidden';
    const task = taskFor(found, reader);
    const [logs, approvals, timeline] = await Promise.all([
      hidden ? [] : ctx.deps.stores.tasks.logs(task.id, LOG_LINES_IN_DETAIL),
      ctx.deps.stores.tasks.approvals(task.id),
      ctx.deps.stores.tasks.timeline(task.id),
    ]);
    return { task, logs, approvals, timeline };
  }),

  stats: protectedProcedure.query(({ ctx }) => ctx.deps.stores.tasks.stats(ctx.deps.clock.now())),

  /**
   * Atomically takes the oldest queued task for this agent (or one meant for any agent); null if none.
   * An API key claims only for the agent names it was minted for. The answer carries the input, sensitive or not.
   */
  claim: agentWriteProcedure.input(ZClaimInput).mutation(async ({ input, ctx }) => {
    assertMayClaim(input.agent, await keyAgents(ctx.deps, ctx.apiKeyId));
    const claimed = await ctx.deps.stores.tasks.claim(input.agent, ctx.user.id);
    if (!claimed) return null;
    await publishTask(ctx.deps, claimed.event);
    return claimed.task;
  }),

  progress: agentWriteProcedure.input(ZProgressInput).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const { task, event } = await ctx.deps.stores.tasks.update(
      input.id,
      { progress: { current: input.current, total: input.total, step: input.step } },
      'run_update',
    );
    await publishTask(ctx.deps, event);
    return task;
  }),

  /** Keeps a long, quiet step from being taken for a dead worker. */
  heartbeat: agentProcedure.input(ZTaskRef).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const task = await ctx.deps.stores.tasks.heartbeat(input.id);
    return { status: task.status };
  }),

  log: agentWriteProcedure.input(ZLogInput).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const { task, lines } = await ctx.deps.stores.tasks.appendLogs(input.id, input.lines);
    await publishTaskSignal(ctx.deps, logSignal(task, lines));
    return { stored: lines.length };
  }),

  complete: agentWriteProcedure.input(ZCompleteInput).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const { task, event } = await ctx.deps.stores.tasks.update(
      input.id,
      { status: 'completed', result: input.result ?? null },
      'run_complete',
    );
    await publishTask(ctx.deps, event);
    return task;
  }),

  fail: agentWriteProcedure.input(ZFailInput).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const { task, event } = await ctx.deps.stores.tasks.update(
      input.id,
      { status: 'failed', error: input.error },
      'run_failed',
    );
    await publishTask(ctx.deps, event);
    return task;
  }),

  requestApproval: agentWriteProcedure.input(ZRequestApprovalInput).mutation(async ({ input, ctx }) => {
    await requireOwnTask(ctx.deps, ctx.user, input.id);
    const { task, approval, event } = await ctx.deps.stores.tasks.requestApproval(input.id, input.action, input.detail);
    await publishTask(ctx.deps, event);
    const change = {
      type: 'approval.requested' as const,
      taskId: task.id,
      taskTitle: task.title,
      approvalId: approval.id,
      action: approval.action,
    };
    const people = await approvers(ctx.deps, task);
    await tellUsers(
      ctx.deps,
      people.map((userId) => ({ userId, change })),
    );
    // And to their phones and closed tabs (Web Push, in the background).
    const notice = {
      title: `“${task.title.slice(0, 80)}” waits for your approval`,
      body: approval.action.slice(0, 200),
      url: '/#/tasks',
      tag: `approval:${approval.id}`,
    };
    for (const userId of people) ctx.deps.push.notify(userId, notice);
    return approval;
  }),

  /** People stop a task; its worker learns it on its next call and through its subscription. */
  cancel: writeProcedure.input(ZTaskRef).mutation(async ({ input, ctx }) => {
    const task = await requireTask(ctx.deps, input.id);
    if (ctx.user.role === 'agent' && task.createdBy !== ctx.user.id) {
      throw forbidden('an agent can only cancel tasks it created');
    }
    const { task: cancelled, event } = await ctx.deps.stores.tasks.update(
      input.id,
      { status: 'cancelled' },
      'run_cancelled',
    );
    await publishTask(ctx.deps, event);
    return taskFor(cancelled, await taskReader(ctx.deps, ctx.user, ctx.apiKeyId));
  }),

  decide: humanWriteProcedure.input(ZDecideInput).mutation(async ({ input, ctx }) => {
    const { task, approval, event } = await ctx.deps.stores.tasks.decide(
      input.approvalId,
      input.approve,
      ctx.user.id,
      input.comment,
    );
    await publishTask(ctx.deps, event);
    const change = {
      type: 'approval.decided' as const,
      taskId: task.id,
      approvalId: approval.id,
      status: approval.status === 'approved' ? ('approved' as const) : ('rejected' as const),
      decidedBy: ctx.user.id,
    };
    await tellUsers(
      ctx.deps,
      (await approvers(ctx.deps, task)).map((userId) => ({ userId, change })),
    );
    return approval;
  }),

  /**
   * The task stream (all tasks, or one): resumable by lastEventId exactly like a channel's. Its events are
   * stored in their stream form (streamChange): a sensitive task's never carry input, result or log lines.
   */
  onEvent: protectedProcedure.input(ZTaskEventInput).subscription(async ({ input, ctx, signal }) => {
    if (input.taskId) await requireTask(ctx.deps, input.taskId);
    const tasks = ctx.deps.stores.tasks;
    const mine = (taskId: string) => !input.taskId || taskId === input.taskId;
    const source: StreamSource<TaskChange, TaskSignal> = {
      topic: TASKS_TOPIC,
      userId: null,
      epoch: tasks.epoch(),
      info: () => tasks.streamInfo(),
      eventsAfter: (after, limit) => tasks.eventsAfter(after, limit, input.taskId),
      classify: (event) => {
        if (event.kind === 'task')
          return mine(event.event.taskId)
            ? { kind: 'change', event: event.event }
            : { kind: 'skip', offset: event.event.offset };
        if (event.kind === 'task-signal' && mine(event.signal.taskId)) return { kind: 'signal', signal: event.signal };
        return null;
      },
    };
    return new ResumableStream(
      { hub: ctx.deps.hub, limits: ctx.deps.limits, connection: ctx.connection, owner: ctx },
      source,
      input.lastEventId,
      signal,
    );
  }),
});
