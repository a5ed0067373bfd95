import type { Task, TaskStats, TaskStore, TaskStreamEvent, User, UserStore } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, makeUser } from './stores-harness';

/** What the TaskStore contract needs: fresh, empty stores per call. */
export interface TaskStoresUnderTest {
  users: UserStore;
  tasks: TaskStore;
  close(): Promise<void>;
}

export interface TaskStoreLimits {
  /** Task stream events kept (about). */
  retention?: number;
  /** Log lines kept per task. */
  logsPerTask?: number;
}

export type MakeTaskStores = (limits?: TaskStoreLimits) => Promise<TaskStoresUnderTest>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MINUTE = 60_000;

/** The invariants of a stats answer at any `now`: 60 consecutive minutes ending with now's, summing to lastHour. */
function expectConsistentStats(stats: TaskStats, now: number): void {
  expect(stats.perMinute).toHaveLength(60);
  const starts = stats.perMinute.map((m) => Date.parse(`${m.minute}:00.000Z`));
  expect(starts.at(-1)).toBe(Math.floor(now / MINUTE) * MINUTE);
  starts.forEach((start, i) => {
    if (i > 0) expect(start - (starts[i - 1] ?? 0)).toBe(MINUTE);
  });
  const sum = (key: 'completed' | 'failed') => stats.perMinute.reduce((total, m) => total + m[key], 0);
  expect(
    { completed: sum('completed'), failed: sum('failed') },
    `perMinute sums at ${new Date(now).toISOString()}`,
  ).toEqual(stats.lastHour);
}

/** The TaskStore contract: run on SQLite and PostgreSQL. */
export function taskStoreContract(name: string, makeStores: MakeTaskStores): void {
  describe(name, () => {
    let stores: TaskStoresUnderTest;
    let tasks: TaskStore;
    let ada: User;

    beforeEach(async () => {
      stores = await makeStores();
      tasks = stores.tasks;
      ada = await makeUser(stores.users, 'ada');
    });
    afterEach(async () => {
      await stores.close();
    });

    const create = async (title: string, agent?: string, store: TaskStore = tasks) =>
      (await store.create({ title, agent, createdBy: ada.id })).task;
    /** A task taken by `worker` for `agent`: in_progress. */
    const running = async (title: string, agent = 'bot', worker = 'worker-1', store: TaskStore = tasks) => {
      const task = await create(title, agent, store);
      const claimed = await store.claim(agent, worker);
      expect(claimed?.task.id, `claimed ${title}`).toBe(task.id);
      return claimed?.task ?? task;
    };
    const head = async (store: TaskStore = tasks) => (await store.streamInfo()).head;
    const allEvents = async (store: TaskStore = tasks) => store.eventsAfter(0, 10_000);
    const cancel = (id: string) => tasks.update(id, { status: 'cancelled' }, 'run_cancelled');
    const complete = (id: string, result: unknown = null) =>
      tasks.update(id, { status: 'completed', result }, 'run_complete');
    const fail = (id: string, error = 'boom') => tasks.update(id, { status: 'failed', error }, 'run_failed');
    const progress = (id: string, current: number, step?: string) =>
      tasks.update(id, { progress: { current, ...(step ? { step } : {}) } }, 'run_update');

    describe('a fresh database', () => {
      it('has an empty task stream and no tasks', async () => {
        expect(await tasks.streamInfo()).toEqual({ epoch: tasks.epoch(), head: 0, oldestRetained: 1 });
        expect(await tasks.eventsAfter(0, 100)).toEqual([]);
        expect(await tasks.list({ limit: 10 })).toEqual({ items: [], nextCursor: null });
        expect(await tasks.claim('bot', 'worker-1')).toBeNull();
        expect(await tasks.staleRuns(Date.now() + 1000)).toEqual([]);
        const stats = await tasks.stats(Date.now());
        expect(stats.counts).toEqual({
          queued: 0,
          in_progress: 0,
          awaiting_approval: 0,
          completed: 0,
          failed: 0,
          cancelled: 0,
        });
        expect(stats.lastHour).toEqual({ completed: 0, failed: 0 });
      });

      it('has a stable epoch, different from another database', async () => {
        const epoch = tasks.epoch();
        expect(epoch.length).toBeGreaterThan(0);
        expect(tasks.epoch()).toBe(epoch);
        const other = await makeStores();
        try {
          expect(other.tasks.epoch()).not.toBe(epoch);
        } finally {
          await other.close();
        }
      });
    });

    describe('create', () => {
      it('stores a queued task and records run_created at offset 1', async () => {
        const { task, event } = await tasks.create({
          title: 'Resize images',
          agent: 'img',
          input: { files: ['a.png', 'b.png'], scale: 0.5 },
          totalSteps: 2,
          createdBy: ada.id,
        });
        expect(task).toEqual({
          id: expect.any(String),
          seq: 1,
          title: 'Resize images',
          agent: 'img',
          status: 'queued',
          input: { files: ['a.png', 'b.png'], scale: 0.5 },
          progress: { current: 0, total: 2, step: null },
          error: null,
          result: null,
          createdBy: ada.id,
          workerId: null,
          createdAt: expect.stringMatching(ISO),
          startedAt: null,
          completedAt: null,
          updatedAt: expect.stringMatching(ISO),
          logsDropped: 0,
          sensitive: false,
          redacted: false,
        });
        expect(event).toEqual({ offset: 1, taskId: task.id, change: { type: 'run_created', task } });
        expect(await tasks.byId(task.id)).toEqual(task);
        expect(await allEvents()).toEqual([event]);
        expect(await tasks.streamInfo()).toEqual({ epoch: tasks.epoch(), head: 1, oldestRetained: 1 });
      });

      it('stores a task without agent or input as nulls', async () => {
        const { task } = await tasks.create({ title: 'Anything', createdBy: null });
        expect(task).toMatchObject({ agent: null, input: null, createdBy: null, progress: { total: null } });
      });

      it('numbers events 1, 2, 3… without gaps across all tasks, and seq is the run_created offset', async () => {
        const a = await tasks.create({ title: 'a', createdBy: ada.id });
        const b = await tasks.create({ title: 'b', createdBy: ada.id });
        const claimed = await tasks.claim('bot', 'worker-1');
        const c = await tasks.create({ title: 'c', createdBy: ada.id });
        const moved = await progress(a.task.id, 1);
        const cancelled = await cancel(c.task.id);
        expect([a, b, claimed, c, moved, cancelled].map((x) => x?.event.offset)).toEqual([1, 2, 3, 4, 5, 6]);
        expect([a.task.seq, b.task.seq, c.task.seq]).toEqual([1, 2, 4]);
        expect((await allEvents()).map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(await head()).toBe(6);
      });
    });

    describe('sensitive tasks', () => {
      const secret = { password: 'hunter2' };
      const hidden = { input: null, result: null, redacted: true, sensitive: true };

      it('keeps input and result in the task, and out of every stream event, stored and returned', async () => {
        const created = await tasks.create({
          title: 'rotate',
          agent: 'bot',
          input: secret,
          createdBy: ada.id,
          sensitive: true,
        });
        expect(created.task).toMatchObject({ input: secret, sensitive: true, redacted: false });
        expect(created.event.change.task).toEqual({ ...created.task, ...hidden });
        const claimed = await tasks.claim('bot', 'worker-1');
        const moved = await progress(created.task.id, 1, 'rotating');
        const asked = await tasks.requestApproval(created.task.id, 'rotate now?');
        const decided = await tasks.decide(asked.approval.id, true, ada.id);
        const done = await complete(created.task.id, { rotated: 'hunter3' });
        expect(done.task).toMatchObject({ input: secret, result: { rotated: 'hunter3' }, redacted: false });
        expect(await tasks.byId(created.task.id)).toEqual(done.task);
        expect((await tasks.list({ limit: 10 })).items).toEqual([done.task]);

        const returned = [created.event, claimed?.event, moved.event, asked.event, decided.event, done.event];
        const stored = await allEvents();
        expect(stored).toEqual(returned);
        expect(stored.map((e) => e.change.type)).toEqual([
          'run_created',
          'run_update',
          'run_update',
          'approval_required',
          'approval_decided',
          'run_complete',
        ]);
        for (const event of stored) expect(event.change.task).toMatchObject(hidden);
        expect(JSON.stringify(stored)).not.toContain('hunter');
        // The stream still says everything else, and the timeline is whole.
        expect(stored.at(-1)?.change.task).toMatchObject({ status: 'completed', progress: { current: 1 } });
        expect((await tasks.timeline(created.task.id)).map((e) => e.status)).toEqual([
          'queued',
          'in_progress',
          'awaiting_approval',
          'in_progress',
          'completed',
        ]);
      });

      it('leaves a task created without the flag shared: its events carry input and result', async () => {
        const { task, event } = await tasks.create({ title: 'open', input: { n: 1 }, createdBy: ada.id });
        expect(task).toMatchObject({ sensitive: false, redacted: false });
        expect(event.change.task.input).toEqual({ n: 1 });
        expect((await allEvents())[0]?.change.task).toEqual(task);
      });
    });

    describe('list', () => {
      it('lists newest first, filtered by status and agent', async () => {
        const one = await create('one', 'img');
        const two = await create('two', 'docs');
        const three = await create('three', 'img');
        const four = await create('four');
        await cancel(two.id);
        const claimed = await tasks.claim('img', 'worker-1'); // takes `one`, the oldest for img
        expect(claimed?.task.id).toBe(one.id);

        const titles = async (filter: Parameters<TaskStore['list']>[0]) =>
          (await tasks.list(filter)).items.map((t) => t.title);
        expect(await titles({ limit: 10 })).toEqual(['four', 'three', 'two', 'one']);
        expect(await titles({ limit: 10, status: 'queued' })).toEqual(['four', 'three']);
        expect(await titles({ limit: 10, status: 'cancelled' })).toEqual(['two']);
        expect(await titles({ limit: 10, status: 'completed' })).toEqual([]);
        expect(await titles({ limit: 10, agent: 'img' })).toEqual(['three', 'one']);
        expect(await titles({ limit: 10, agent: 'img', status: 'in_progress' })).toEqual(['one']);
        expect(await titles({ limit: 10, agent: 'nobody' })).toEqual([]);
        const listed = (await tasks.list({ limit: 10 })).items;
        expect(listed.find((t) => t.id === four.id)).toEqual(await tasks.byId(four.id));
        expect(listed.find((t) => t.id === three.id)?.status).toBe('queued');
      });

      it('pages with the cursor until nextCursor is null, seeing every task once', async () => {
        for (let i = 1; i <= 7; i++) await create(`t${i}`);
        const pages: string[][] = [];
        let cursor: number | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await tasks.list({ limit: 3, ...(cursor ? { cursor } : {}) });
          pages.push(page.items.map((t) => t.title));
          if (page.nextCursor === null) break;
          expect(page.nextCursor).toBe(page.items.at(-1)?.seq);
          cursor = page.nextCursor;
        }
        expect(pages).toEqual([['t7', 't6', 't5'], ['t4', 't3', 't2'], ['t1']]);
      });

      it('gives no cursor when the page holds exactly the rest', async () => {
        for (let i = 1; i <= 4; i++) await create(`t${i}`);
        const first = await tasks.list({ limit: 2 });
        expect(first.nextCursor).not.toBeNull();
        const second = await tasks.list({ limit: 2, cursor: first.nextCursor ?? 0 });
        expect(second).toEqual({
          items: [expect.objectContaining({ title: 't2' }), expect.objectContaining({ title: 't1' })],
          nextCursor: null,
        });
      });

      it('pages within a filter', async () => {
        for (let i = 1; i <= 5; i++) await create(`img${i}`, 'img');
        await create('other', 'docs');
        const first = await tasks.list({ agent: 'img', limit: 3 });
        expect(first.items.map((t) => t.title)).toEqual(['img5', 'img4', 'img3']);
        const second = await tasks.list({ agent: 'img', limit: 3, cursor: first.nextCursor ?? 0 });
        expect(second).toMatchObject({ nextCursor: null });
        expect(second.items.map((t) => t.title)).toEqual(['img2', 'img1']);
      });
    });

    describe('claim', () => {
      it('takes the oldest queued task meant for the agent or for anyone', async () => {
        const forOther = await create('for other', 'other');
        const forAnyone = await create('for anyone');
        const forBot1 = await create('for bot 1', 'bot');
        const forBot2 = await create('for bot 2', 'bot');
        const before = await head();

        const first = await tasks.claim('bot', 'worker-1');
        expect(first?.task).toMatchObject({
          id: forAnyone.id,
          status: 'in_progress',
          agent: 'bot', // an open task becomes the claiming agent's
          workerId: 'worker-1',
          startedAt: expect.stringMatching(ISO),
          completedAt: null,
        });
        expect(first?.event).toEqual({
          offset: before + 1,
          taskId: forAnyone.id,
          change: { type: 'run_update', task: first?.task },
        });
        expect(await tasks.byId(forAnyone.id)).toEqual(first?.task);

        expect((await tasks.claim('bot', 'worker-2'))?.task).toMatchObject({ id: forBot1.id, workerId: 'worker-2' });
        expect((await tasks.claim('bot', 'worker-1'))?.task.id).toBe(forBot2.id);
        const headBefore = await head();
        expect(await tasks.claim('bot', 'worker-1')).toBeNull();
        expect(await head()).toBe(headBefore);

        expect((await tasks.byId(forOther.id))?.status).toBe('queued');
        expect((await tasks.claim('other', 'worker-3'))?.task).toMatchObject({ id: forOther.id, agent: 'other' });
      });

      it('skips tasks that are not queued any more', async () => {
        const cancelled = await create('cancelled');
        await cancel(cancelled.id);
        const taken = await running('taken');
        const done = await running('done');
        await complete(done.id);
        expect(await tasks.claim('bot', 'worker-2')).toBeNull();
        expect((await tasks.byId(taken.id))?.workerId).toBe('worker-1');
      });

      it('never hands the same task out twice, even to claims fired at once', async () => {
        const created = [];
        for (let i = 0; i < 10; i++) created.push(await create(`job ${i}`, i % 2 ? 'bot' : undefined));
        const results = await Promise.all(Array.from({ length: 24 }, (_, i) => tasks.claim('bot', `worker-${i}`)));
        const won = results.filter((r) => r !== null);
        expect(won).toHaveLength(10);
        expect(new Set(won.map((r) => r?.task.id)).size).toBe(10);
        expect(new Set(won.map((r) => r?.task.id))).toEqual(new Set(created.map((t) => t.id)));
        expect(new Set(won.map((r) => r?.event.offset)).size).toBe(10);
        for (const task of created) {
          const stored = await tasks.byId(task.id);
          expect(stored?.status).toBe('in_progress');
          // The stored worker is the one whose claim got this task.
          expect(stored?.workerId).toBe(won.find((r) => r?.task.id === task.id)?.task.workerId);
        }
        expect((await allEvents()).map((e) => e.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    describe('update', () => {
      it('records progress while running, keeping what was not patched', async () => {
        const { task } = await tasks.create({ title: 'steps', agent: 'bot', totalSteps: 4, createdBy: ada.id });
        await tasks.claim('bot', 'worker-1');
        const first = await progress(task.id, 1, 'download');
        expect(first.task.progress).toEqual({ current: 1, total: 4, step: 'download' });
        expect(first.event).toEqual({ offset: 3, taskId: task.id, change: { type: 'run_update', task: first.task } });
        const second = await tasks.update(task.id, { progress: { current: 3, total: 5 } }, 'run_update');
        expect(second.task.progress).toEqual({ current: 3, total: 5, step: 'download' });
        expect(second.task.status).toBe('in_progress');
        expect(await tasks.byId(task.id)).toEqual(second.task);
      });

      it('records progress while the task awaits approval', async () => {
        const task = await running('careful');
        await tasks.requestApproval(task.id, 'deploy');
        const { task: moved } = await progress(task.id, 2);
        expect(moved).toMatchObject({ status: 'awaiting_approval', progress: { current: 2 } });
      });

      it.each([
        ['queued', async (id: string) => id],
        ['cancelled', async (id: string) => (await cancel(id)).task.id],
      ])('refuses progress on a %s task with CONFLICT and changes nothing', async (_label, prepare) => {
        const task = await create('idle', 'bot');
        await prepare(task.id);
        const before = await tasks.byId(task.id);
        const headBefore = await head();
        await expectAppError(progress(task.id, 5, 'too late'), 'CONFLICT');
        expect(await tasks.byId(task.id)).toEqual(before);
        expect(await head()).toBe(headBefore);
      });

      it('refuses progress on a completed or failed task with CONFLICT and changes nothing', async () => {
        const done = await running('done');
        await complete(done.id, { ok: true });
        const broken = await running('broken');
        await fail(broken.id);
        for (const id of [done.id, broken.id]) {
          const before = await tasks.byId(id);
          const headBefore = await head();
          const error = await expectAppError(progress(id, 9), 'CONFLICT');
          expect(error.message).toMatch(/completed|failed/);
          expect(await tasks.byId(id)).toEqual(before);
          expect(await head()).toBe(headBefore);
        }
      });

      it('completes with a result, sets completedAt and records run_complete', async () => {
        const task = await running('build');
        const { task: done, event } = await complete(task.id, { artifacts: ['app.js'], size: 1234 });
        expect(done).toMatchObject({
          status: 'completed',
          result: { artifacts: ['app.js'], size: 1234 },
          error: null,
          completedAt: expect.stringMatching(ISO),
          startedAt: task.startedAt,
          workerId: 'worker-1',
        });
        expect(event.change).toEqual({ type: 'run_complete', task: done });
        expect(event.offset).toBe(await head());
        expect(await tasks.byId(task.id)).toEqual(done);
      });

      it('answers CONFLICT to completing twice and keeps the first result', async () => {
        const task = await running('build');
        const { task: done } = await complete(task.id, 'first');
        const headBefore = await head();
        const error = await expectAppError(complete(task.id, 'second'), 'CONFLICT');
        expect(error.message).toContain('complete');
        expect(await tasks.byId(task.id)).toEqual(done);
        expect(await head()).toBe(headBefore);
      });

      it('fails with an error, sets completedAt and records run_failed', async () => {
        const task = await running('flaky');
        const { task: failed, event } = await fail(task.id, 'disk full');
        expect(failed).toMatchObject({ status: 'failed', error: 'disk full', completedAt: expect.stringMatching(ISO) });
        expect(event.change).toEqual({ type: 'run_failed', task: failed });
        await expectAppError(complete(task.id), 'CONFLICT');
      });

      it('cancels a queued or a running task, sets completedAt and records run_cancelled', async () => {
        const queued = await create('queued', 'nobody');
        const busy = await running('busy');
        for (const id of [queued.id, busy.id]) {
          const { task, event } = await cancel(id);
          expect(task).toMatchObject({ id, status: 'cancelled', completedAt: expect.stringMatching(ISO) });
          expect(event.change).toEqual({ type: 'run_cancelled', task });
        }
        expect(await tasks.claim('bot', 'worker-9')).toBeNull();
      });

      it('checks every status change against the status machine', async () => {
        const queued = await create('queued');
        const error = await expectAppError(complete(queued.id), 'CONFLICT');
        expect(error.message).toContain('complete');
        expect(error.message).toContain('queued');
        await expectAppError(fail(queued.id), 'CONFLICT');
        const cancelled = await create('cancelled');
        await cancel(cancelled.id);
        const message = (await expectAppError(complete(cancelled.id), 'CONFLICT')).message;
        expect(message).toContain('complete');
        expect(message).toContain('cancelled');
        await expectAppError(cancel(cancelled.id), 'CONFLICT');
        expect((await tasks.byId(queued.id))?.status).toBe('queued');
        expect((await tasks.byId(cancelled.id))?.completedAt).toEqual(expect.stringMatching(ISO));
      });
    });

    describe('approvals', () => {
      it('requestApproval parks the task with a pending approval and records approval_required', async () => {
        const task = await running('deploy');
        const { task: parked, approval, event } = await tasks.requestApproval(task.id, 'deploy to prod', 'v1.2.3');
        expect(parked.status).toBe('awaiting_approval');
        expect(approval).toEqual({
          id: expect.any(String),
          taskId: task.id,
          action: 'deploy to prod',
          detail: 'v1.2.3',
          status: 'pending',
          comment: null,
          requestedAt: expect.stringMatching(ISO),
          decidedAt: null,
          decidedBy: null,
        });
        expect(event).toEqual({
          offset: await head(),
          taskId: task.id,
          change: { type: 'approval_required', task: parked, approval },
        });
        expect(await tasks.approvals(task.id)).toEqual([approval]);
        expect(await tasks.byId(task.id)).toEqual(parked);
      });

      it('requestApproval needs a running task: CONFLICT when queued, finished or already waiting', async () => {
        const queued = await create('queued', 'nobody');
        await expectAppError(tasks.requestApproval(queued.id, 'go'), 'CONFLICT');
        const waiting = await running('waiting');
        await tasks.requestApproval(waiting.id, 'first');
        await expectAppError(tasks.requestApproval(waiting.id, 'second'), 'CONFLICT');
        const done = await running('done');
        await complete(done.id);
        await expectAppError(tasks.requestApproval(done.id, 'late'), 'CONFLICT');
        expect(await tasks.approvals(queued.id)).toEqual([]);
        expect((await tasks.approvals(waiting.id)).map((a) => a.action)).toEqual(['first']);
        expect(await tasks.approvals(done.id)).toEqual([]);
      });

      it.each([
        [true, 'approved'],
        [false, 'rejected'],
      ] as const)(
        'decide(approve=%s) marks the approval %s and hands the task back to its worker',
        async (approve, status) => {
          const bob = await makeUser(stores.users, 'bob');
          const task = await running('deploy');
          const { approval } = await tasks.requestApproval(task.id, 'deploy');
          const decided = await tasks.decide(approval.id, approve, bob.id, 'looked at it');
          expect(decided.approval).toEqual({
            ...approval,
            status,
            comment: 'looked at it',
            decidedAt: expect.stringMatching(ISO),
            decidedBy: bob.id,
          });
          expect(decided.task).toMatchObject({
            id: task.id,
            status: 'in_progress',
            workerId: 'worker-1',
            completedAt: null,
          });
          expect(decided.event).toEqual({
            offset: await head(),
            taskId: task.id,
            change: { type: 'approval_decided', task: decided.task, approval: decided.approval },
          });
          expect(await tasks.approvals(task.id)).toEqual([decided.approval]);
          expect(await tasks.byId(task.id)).toEqual(decided.task);
          // The worker goes on and may finish.
          expect((await complete(task.id)).task.status).toBe('completed');
        },
      );

      it('answers CONFLICT to deciding twice and keeps the first decision', async () => {
        const task = await running('deploy');
        const { approval } = await tasks.requestApproval(task.id, 'deploy');
        const first = await tasks.decide(approval.id, true, ada.id);
        const headBefore = await head();
        await expectAppError(tasks.decide(approval.id, false, ada.id, 'changed my mind'), 'CONFLICT');
        expect(await tasks.approvals(task.id)).toEqual([first.approval]);
        expect(first.approval.comment).toBeNull();
        expect(await head()).toBe(headBefore);
      });

      it('answers CONFLICT to re-deciding an old approval while a newer one is pending', async () => {
        const task = await running('two steps');
        const first = await tasks.requestApproval(task.id, 'step one');
        const decided = await tasks.decide(first.approval.id, true, ada.id);
        const second = await tasks.requestApproval(task.id, 'step two');
        await expectAppError(tasks.decide(first.approval.id, false, ada.id), 'CONFLICT');
        expect(await tasks.approvals(task.id)).toEqual([decided.approval, second.approval]);
        expect((await tasks.byId(task.id))?.status).toBe('awaiting_approval');
      });

      it('keeps every approval of a task, one request at a time', async () => {
        const task = await running('two steps');
        const first = await tasks.requestApproval(task.id, 'step one');
        await tasks.decide(first.approval.id, true, ada.id);
        const second = await tasks.requestApproval(task.id, 'step two');
        await tasks.decide(second.approval.id, false, ada.id);
        const list = await tasks.approvals(task.id);
        expect(list.map((a) => [a.action, a.status])).toEqual([
          ['step one', 'approved'],
          ['step two', 'rejected'],
        ]);
      });

      it.each([
        ['cancelling', (id: string) => cancel(id), 'cancelled'],
        ['failing', (id: string) => fail(id), 'failed'],
      ] as const)('%s a task that awaits approval rejects the pending approval', async (_label, finish, status) => {
        const task = await running('deploy');
        const { approval } = await tasks.requestApproval(task.id, 'deploy');
        const { task: finished } = await finish(task.id);
        expect(finished).toMatchObject({ status, completedAt: expect.stringMatching(ISO) });
        const [stored] = await tasks.approvals(task.id);
        expect(stored).toMatchObject({ id: approval.id, status: 'rejected', decidedAt: expect.stringMatching(ISO) });
        // Nobody can approve it afterwards, and the task stays finished.
        await expectAppError(tasks.decide(approval.id, true, ada.id), 'CONFLICT');
        expect((await tasks.byId(task.id))?.status).toBe(status);
      });

      it('cannot complete a task that awaits approval', async () => {
        const task = await running('deploy');
        await tasks.requestApproval(task.id, 'deploy');
        await expectAppError(complete(task.id), 'CONFLICT');
        expect((await tasks.byId(task.id))?.status).toBe('awaiting_approval');
        expect((await tasks.approvals(task.id))[0]?.status).toBe('pending');
      });
    });

    describe('logs', () => {
      let small: TaskStoresUnderTest;
      beforeEach(async () => {
        small = await makeStores({ logsPerTask: 5 });
        await makeUser(small.users, 'owner');
      });
      afterEach(async () => {
        await small.close();
      });

      it('appends numbered lines without stream events', async () => {
        const task = await running('chatty', 'bot', 'worker-1', small.tasks);
        const headBefore = await head(small.tasks);
        const { task: after, lines } = await small.tasks.appendLogs(task.id, ['one', 'two']);
        expect(lines).toEqual([
          { seq: 1, at: expect.stringMatching(ISO), line: 'one' },
          { seq: 2, at: expect.stringMatching(ISO), line: 'two' },
        ]);
        expect(after).toMatchObject({ id: task.id, logsDropped: 0 });
        const more = await small.tasks.appendLogs(task.id, ['three']);
        expect(more.lines.map((l) => l.seq)).toEqual([3]);
        expect(await small.tasks.logs(task.id, 100)).toEqual([...lines, ...more.lines]);
        expect(await head(small.tasks)).toBe(headBefore);
      });

      it('keeps only the newest `logsPerTask` lines and counts the dropped ones', async () => {
        const task = await running('chatty', 'bot', 'worker-1', small.tasks);
        await small.tasks.appendLogs(task.id, ['l1', 'l2', 'l3']);
        const second = await small.tasks.appendLogs(task.id, ['l4', 'l5', 'l6', 'l7']);
        expect(second.task.logsDropped).toBe(2);
        expect((await small.tasks.byId(task.id))?.logsDropped).toBe(2);
        expect((await small.tasks.logs(task.id, 100)).map((l) => [l.seq, l.line])).toEqual([
          [3, 'l3'],
          [4, 'l4'],
          [5, 'l5'],
          [6, 'l6'],
          [7, 'l7'],
        ]);
        // More lines in one call than are kept.
        const flood = await small.tasks.appendLogs(
          task.id,
          Array.from({ length: 8 }, (_, i) => `f${i + 1}`),
        );
        expect(flood.task.logsDropped).toBe(10);
        expect((await small.tasks.logs(task.id, 100)).map((l) => l.line)).toEqual(['f4', 'f5', 'f6', 'f7', 'f8']);
      });

      it('logs(id, limit) returns the newest `limit` lines, oldest first', async () => {
        const task = await running('chatty', 'bot', 'worker-1', small.tasks);
        await small.tasks.appendLogs(task.id, ['a', 'b', 'c', 'd']);
        expect((await small.tasks.logs(task.id, 2)).map((l) => l.line)).toEqual(['c', 'd']);
        expect((await small.tasks.logs(task.id, 1)).map((l) => l.seq)).toEqual([4]);
      });

      it('keeps each task’s lines apart', async () => {
        const a = await running('a', 'bot', 'worker-1', small.tasks);
        const b = await running('b', 'bot', 'worker-2', small.tasks);
        await small.tasks.appendLogs(a.id, ['a1', 'a2', 'a3', 'a4']);
        await small.tasks.appendLogs(b.id, ['b1']);
        await small.tasks.appendLogs(a.id, ['a5', 'a6']);
        expect((await small.tasks.logs(b.id, 100)).map((l) => [l.seq, l.line])).toEqual([[1, 'b1']]);
        expect((await small.tasks.byId(b.id))?.logsDropped).toBe(0);
        expect((await small.tasks.byId(a.id))?.logsDropped).toBe(1);
      });

      it('accepts lines while awaiting approval, refuses them once the task is over or not started', async () => {
        const task = await running('chatty', 'bot', 'worker-1', small.tasks);
        await small.tasks.requestApproval(task.id, 'go on?');
        await small.tasks.appendLogs(task.id, ['waiting']);
        const queued = await create('later', 'nobody', small.tasks);
        await expectAppError(small.tasks.appendLogs(queued.id, ['too early']), 'CONFLICT');
        await small.tasks.update(task.id, { status: 'cancelled' }, 'run_cancelled');
        await expectAppError(small.tasks.appendLogs(task.id, ['too late']), 'CONFLICT');
        expect((await small.tasks.logs(task.id, 100)).map((l) => l.line)).toEqual(['waiting']);
        expect(await small.tasks.logs(queued.id, 100)).toEqual([]);
      });
    });

    describe('heartbeat', () => {
      it('answers with the task and records no event while it runs or waits', async () => {
        const task = await running('long');
        const headBefore = await head();
        expect(await tasks.heartbeat(task.id)).toMatchObject({ id: task.id, status: 'in_progress' });
        await tasks.requestApproval(task.id, 'continue?');
        const waitingHead = await head();
        expect(await tasks.heartbeat(task.id)).toMatchObject({ id: task.id, status: 'awaiting_approval' });
        expect(await head()).toBe(waitingHead);
        expect(waitingHead).toBe(headBefore + 1);
      });

      it('answers CONFLICT once the task is finished (or before it started)', async () => {
        const done = await running('done');
        await complete(done.id);
        await expectAppError(tasks.heartbeat(done.id), 'CONFLICT');
        const cancelled = await running('cancelled');
        await cancel(cancelled.id);
        await expectAppError(tasks.heartbeat(cancelled.id), 'CONFLICT');
        const queued = await create('queued', 'nobody');
        await expectAppError(tasks.heartbeat(queued.id), 'CONFLICT');
      });
    });

    describe('staleRuns', () => {
      it('returns the running tasks silent since before the given time, not waiting, queued or finished ones', async () => {
        const a = await running('a');
        const b = await running('b');
        const waiting = await running('waiting');
        await tasks.requestApproval(waiting.id, 'ok?');
        await create('queued', 'nobody');
        const done = await running('done');
        await complete(done.id);
        const stale = await tasks.staleRuns(Date.now() + 1000);
        expect(stale.map((t) => t.id).sort()).toEqual([a.id, b.id].sort());
        expect(stale.find((t) => t.id === a.id)).toEqual(await tasks.byId(a.id));
        // Nothing has been silent since an hour ago.
        expect(await tasks.staleRuns(Date.now() - 3_600_000)).toEqual([]);
      });

      it('includes a task again once its approval is decided', async () => {
        const task = await running('careful');
        const { approval } = await tasks.requestApproval(task.id, 'ok?');
        expect(await tasks.staleRuns(Date.now() + 1000)).toEqual([]);
        await tasks.decide(approval.id, true, ada.id);
        expect((await tasks.staleRuns(Date.now() + 1000)).map((t) => t.id)).toEqual([task.id]);
      });
    });

    describe('timeline', () => {
      it('lists the status changes of one task in order, without repeats for progress', async () => {
        await create('another', 'nobody');
        const task = await running('journey', 'solo');
        await progress(task.id, 1);
        await progress(task.id, 2);
        const { approval } = await tasks.requestApproval(task.id, 'ship?');
        await tasks.decide(approval.id, true, ada.id);
        await progress(task.id, 3);
        await complete(task.id);
        const timeline = await tasks.timeline(task.id);
        expect(timeline.map((e) => [e.type, e.status])).toEqual([
          ['run_created', 'queued'],
          ['run_update', 'in_progress'],
          ['approval_required', 'awaiting_approval'],
          ['approval_decided', 'in_progress'],
          ['run_complete', 'completed'],
        ]);
        const times = timeline.map((e) => e.at);
        for (const at of times) expect(at).toMatch(ISO);
        expect([...times].sort()).toEqual(times);
      });

      it('is empty for an unknown task', async () => {
        expect(await tasks.timeline('no-such-task')).toEqual([]);
      });
    });

    describe('stats', () => {
      it('counts tasks per status and the runs finished in the last hour', async () => {
        await create('q1', 'nobody');
        await create('q2', 'nobody');
        await running('busy');
        const waiting = await running('waiting');
        await tasks.requestApproval(waiting.id, 'ok?');
        for (const title of ['c1', 'c2']) await complete((await running(title)).id);
        await fail((await running('f1')).id);
        await cancel((await create('x', 'nobody')).id);

        const now = Date.now();
        const stats = await tasks.stats(now);
        expect(stats.counts).toEqual({
          queued: 2,
          in_progress: 1,
          awaiting_approval: 1,
          completed: 2,
          failed: 1,
          cancelled: 1,
        });
        expect(stats.lastHour).toEqual({ completed: 2, failed: 1 });
        expectConsistentStats(stats, now);
      });

      it('keeps perMinute and lastHour in agreement at any `now` around a finished run', async () => {
        const done = await complete((await running('done')).id);
        const failed = await fail((await running('failed')).id);
        const finishedAt = Date.parse(done.task.completedAt ?? '');
        const failedAt = Date.parse(failed.task.completedAt ?? '');
        const probes = [
          failedAt,
          failedAt + MINUTE,
          finishedAt + 30 * MINUTE,
          finishedAt + 59 * MINUTE,
          finishedAt + 60 * MINUTE - 1,
          finishedAt + 60 * MINUTE, // exactly an hour later: the run's minute has left perMinute
          failedAt + 60 * MINUTE,
          finishedAt + 61 * MINUTE,
          finishedAt + 2 * 60 * MINUTE,
          finishedAt - MINUTE, // a clock behind the store's: the run is in the future
        ];
        for (const now of probes) expectConsistentStats(await tasks.stats(now), now);
        // Right after the runs both are counted, two hours later neither.
        expect((await tasks.stats(failedAt)).lastHour).toEqual({ completed: 1, failed: 1 });
        expect((await tasks.stats(failedAt + 2 * 60 * MINUTE)).lastHour).toEqual({ completed: 0, failed: 0 });
        // Counts per status do not depend on `now`.
        expect((await tasks.stats(failedAt + 2 * 60 * MINUTE)).counts).toMatchObject({ completed: 1, failed: 1 });
      });
    });

    describe('eventsAfter', () => {
      it('returns stored events after an offset, oldest first, at most `limit`, optionally for one task', async () => {
        const a = await create('a', 'bot');
        const b = await create('b', 'other');
        await tasks.claim('bot', 'worker-1'); // a
        await progress(a.id, 1);
        await cancel(b.id);
        await complete(a.id, 'ok');

        const all = await allEvents();
        expect(all.map((e) => [e.offset, e.taskId, e.change.type])).toEqual([
          [1, a.id, 'run_created'],
          [2, b.id, 'run_created'],
          [3, a.id, 'run_update'],
          [4, a.id, 'run_update'],
          [5, b.id, 'run_cancelled'],
          [6, a.id, 'run_complete'],
        ]);
        // Each event carries the task as it was then.
        expect(all[0]?.change.task.status).toBe('queued');
        expect(all[3]?.change.task.progress.current).toBe(1);
        expect(all[5]?.change.task).toEqual(await tasks.byId(a.id));

        const offsets = (events: TaskStreamEvent[]) => events.map((e) => e.offset);
        expect(offsets(await tasks.eventsAfter(2, 2))).toEqual([3, 4]);
        expect(offsets(await tasks.eventsAfter(0, 100, a.id))).toEqual([1, 3, 4, 6]);
        expect(offsets(await tasks.eventsAfter(3, 2, a.id))).toEqual([4, 6]);
        expect(offsets(await tasks.eventsAfter(0, 100, b.id))).toEqual([2, 5]);
        expect(await tasks.eventsAfter(6, 100)).toEqual([]);
        expect(await tasks.eventsAfter(0, 100, 'no-such-task')).toEqual([]);
      });
    });

    describe('retention', () => {
      it('prunes old events once the stream has far more than `retention`, keeping the tasks', async () => {
        const small = await makeStores({ retention: 5 });
        try {
          const owner = await makeUser(small.users, 'owner');
          const created: Task[] = [];
          for (let i = 1; i <= 250; i++) {
            created.push((await small.tasks.create({ title: `#${i}`, createdBy: owner.id })).task);
          }
          const info = await small.tasks.streamInfo();
          expect(info.head).toBe(250);
          expect(info.oldestRetained).toBeGreaterThan(1);
          // At least `retention` events are kept, and the retained ones are gap-free up to the head.
          expect(info.head - info.oldestRetained + 1).toBeGreaterThanOrEqual(5);
          const offsets = (await small.tasks.eventsAfter(0, 1_000)).map((e) => e.offset);
          expect(offsets).toEqual(
            Array.from({ length: info.head - info.oldestRetained + 1 }, (_, i) => i + info.oldestRetained),
          );
          // Tasks are not pruned with their events, and new events go on from the head.
          expect((await small.tasks.byId(created[0]?.id ?? ''))?.title).toBe('#1');
          expect((await small.tasks.list({ limit: 100 })).items).toHaveLength(100);
          const claimed = await small.tasks.claim('bot', 'worker-1');
          expect(claimed?.task.id).toBe(created[0]?.id);
          expect(claimed?.event.offset).toBe(251);
          expect((await small.tasks.streamInfo()).oldestRetained).toBeGreaterThanOrEqual(info.oldestRetained);
        } finally {
          await small.close();
        }
      });
    });

    describe('unknown ids', () => {
      it('byId answers null; changes answer NOT_FOUND and record nothing', async () => {
        await running('real');
        const headBefore = await head();
        expect(await tasks.byId('no-such-task')).toBeNull();
        await expectAppError(progress('no-such-task', 1), 'NOT_FOUND');
        await expectAppError(complete('no-such-task'), 'NOT_FOUND');
        await expectAppError(cancel('no-such-task'), 'NOT_FOUND');
        await expectAppError(tasks.heartbeat('no-such-task'), 'NOT_FOUND');
        await expectAppError(tasks.appendLogs('no-such-task', ['x']), 'NOT_FOUND');
        await expectAppError(tasks.requestApproval('no-such-task', 'go'), 'NOT_FOUND');
        await expectAppError(tasks.decide('no-such-approval', true, ada.id), 'NOT_FOUND');
        expect(await tasks.approvals('no-such-task')).toEqual([]);
        expect(await head()).toBe(headBefore);
      });
    });
  });
}
