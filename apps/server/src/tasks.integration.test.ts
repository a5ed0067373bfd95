import { rmSync } from 'node:fs';
import { runWorker, type Worker } from '@hubbub/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';

let server: TestServer | undefined;
const workers: Worker[] = [];
const leftoverDirs: string[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await server?.stop();
  server = undefined;
  for (const dir of leftoverDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  id: string;
  data: { type: string; task?: { id: string; status: string; progress: { current: number } }; [k: string]: unknown };
}

/** An admin (first signup), a member, and an agent key minted by the admin. */
async function setup(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const admin = await server.signup('admin');
  const member = await server.signup('mia');
  const boss = server.client(admin.token);
  const { key, apiKey } = await boss.api.apiKey.create.mutate({ name: 'builder', role: 'agent' });
  return { server, admin, member, boss, people: server.client(member.token), key, apiKey };
}

/** Follows the task stream from now on: from the position task.list reports, like the dashboard does. */
async function watch(client: ReturnType<TestServer['client']>, input: { taskId?: string; lastEventId?: string } = {}) {
  const events: Seen[] = [];
  const lastEventId = input.lastEventId ?? (await client.api.task.list.query({ limit: 1 })).eventId;
  const sub = client.api.task.onEvent.subscribe(
    { ...input, lastEventId },
    { onData: (e) => events.push(e as unknown as Seen) },
  );
  const until = async (predicate: (e: Seen[]) => boolean, timeoutMs = 8000) => {
    const end = Date.now() + timeoutMs;
    while (!predicate(events)) {
      if (Date.now() > end) throw new Error(`timed out; saw ${events.map((e) => e.data.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { events, until, stop: () => sub.unsubscribe() };
}

describe('tasks over real sockets', () => {
  it('a worker runs a task while the dashboard sees created → progress 1,2,3 → complete, in order', async () => {
    const { server, people, key } = await setup();
    const board = await watch(people);
    const task = await people.api.task.create.mutate({ title: 'build the site', agent: 'builder', totalSteps: 3 });
    workers.push(
      runWorker({
        url: server.url,
        key,
        agent: 'builder',
        handle: async (t, ctx) => {
          for (let i = 1; i <= 3; i++) await ctx.progress(i, { step: `step ${i}` });
          await ctx.log('all steps done');
          return { pages: 3, of: t.title };
        },
      }),
    );
    await board.until((e) => e.some((x) => x.data.type === 'run_complete'));
    const mine = board.events.filter((e) => e.data.task?.id === task.id);
    expect(mine.map((e) => e.data.type)).toEqual([
      'run_created',
      'run_update',
      'run_update',
      'run_update',
      'run_update',
      'run_complete',
    ]);
    expect(mine.slice(2, 5).map((e) => e.data.task?.progress.current)).toEqual([1, 2, 3]);
    const offsets = mine.map((e) => Number(e.id.split(':')[1]));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const detail = await people.api.task.byId.query({ id: task.id });
    expect(detail.task).toMatchObject({ status: 'completed', result: { pages: 3, of: 'build the site' } });
    expect(detail.logs.map((l) => l.line)).toEqual(['all steps done']);
    expect(detail.timeline.map((t) => t.status)).toEqual(['queued', 'in_progress', 'completed']);
    const stats = await people.api.task.stats.query();
    expect(stats.counts.completed).toBe(1);
    expect(stats.lastHour.completed).toBe(1);
  });

  it('resume after a disconnect replays a missed run_failed and nothing older', async () => {
    const { server, people, key } = await setup();
    const agent = server.client(key);
    const first = await watch(people);
    await people.api.task.create.mutate({ title: 'one', agent: 'builder' });
    await first.until((e) => e.length === 1);
    const lastSeen = first.events[0]?.id as string;
    first.stop();

    const claimed = await agent.api.task.claim.mutate({ agent: 'builder' });
    if (!claimed) throw new Error('nothing claimed');
    await agent.api.task.fail.mutate({ id: claimed.id, error: 'disk full' });

    const resumed = await watch(people, { lastEventId: lastSeen });
    await resumed.until((e) => e.some((x) => x.data.type === 'run_failed'));
    expect(resumed.events.map((e) => e.data.type)).toEqual(['run_update', 'run_failed']);
    expect(resumed.events[1]?.data.task).toMatchObject({ status: 'failed', error: 'disk full' });
  });

  it('24 concurrent claims over 10 tasks from two workers claim each task exactly once', async () => {
    const { server, boss, people, key } = await setup();
    const second = await boss.api.apiKey.create.mutate({ name: 'builder-2', role: 'agent' });
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) => people.api.task.create.mutate({ title: `t${i}`, agent: 'builder' })),
    );
    const w1 = server.client(key, { allOverWebSocket: true });
    const w2 = server.client(second.key);
    const claims = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? w1 : w2).api.task.claim.mutate({ agent: 'builder' })),
    );
    const ids = claims.flatMap((t) => (t ? [t.id] : []));
    expect(ids).toHaveLength(10);
    expect(new Set(ids)).toEqual(new Set(created.map((t) => t.id)));
  });

  it('round-trips an approval: the worker waits, a person approves, the worker goes on', async () => {
    const { server, people, key } = await setup();
    const board = await watch(people);
    const decisions: unknown[] = [];
    workers.push(
      runWorker({
        url: server.url,
        key,
        agent: 'builder',
        handle: async (_t, ctx) => {
          const decision = await ctx.requestApproval('deploy to production', 'version 1.2.3');
          decisions.push(decision);
          return { deployed: decision.approved };
        },
      }),
    );
    const task = await people.api.task.create.mutate({ title: 'release', agent: 'builder' });
    await board.until((e) => e.some((x) => x.data.type === 'approval_required'));
    const asked = board.events.find((e) => e.data.type === 'approval_required');
    const approval = asked?.data.approval as { id: string; action: string };
    expect(approval.action).toBe('deploy to production');
    expect((await people.api.task.byId.query({ id: task.id })).task.status).toBe('awaiting_approval');
    await people.api.task.decide.mutate({ approvalId: approval.id, approve: true, comment: 'ship it' });
    await board.until((e) => e.some((x) => x.data.type === 'run_complete'));
    expect(decisions).toEqual([{ approved: true, comment: 'ship it' }]);
    expect((await people.api.task.byId.query({ id: task.id })).task.result).toEqual({ deployed: true });
    await expect(people.api.task.decide.mutate({ approvalId: approval.id, approve: false })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
  });

  it("cancellation reaches a running worker's signal", async () => {
    const { server, people, key } = await setup();
    const board = await watch(people);
    let aborted = false;
    workers.push(
      runWorker({
        url: server.url,
        key,
        agent: 'builder',
        handle: (_t, ctx) =>
          new Promise((resolve) => {
            ctx.progress(1, { step: 'waiting to be cancelled' });
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              resolve('stopped');
            });
          }),
      }),
    );
    const task = await people.api.task.create.mutate({ title: 'long job', agent: 'builder' });
    await board.until((e) => e.some((x) => x.data.task?.progress.current === 1));
    await people.api.task.cancel.mutate({ id: task.id });
    await board.until(() => aborted);
    const after = await people.api.task.byId.query({ id: task.id });
    expect(after.task.status).toBe('cancelled');
    // The worker's late calls are refused, not applied.
    const agent = server.client(key);
    await expect(agent.api.task.complete.mutate({ id: task.id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });

  it('keeps worker calls to agent keys: a member gets FORBIDDEN, a revoked key UNAUTHORIZED at once', async () => {
    const { server, boss, people, key, apiKey } = await setup();
    await expect(people.api.task.claim.mutate({ agent: 'builder' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    await expect(people.api.apiKey.create.mutate({ name: 'sneaky', role: 'agent' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    const agentWs = server.client(key, { allOverWebSocket: true });
    expect(await agentWs.api.task.claim.mutate({ agent: 'builder' })).toBeNull();
    expect((await boss.api.apiKey.list.query()).map((k) => k.name)).toEqual(['builder']);
    await boss.api.apiKey.revoke.mutate({ id: apiKey.id });
    // The open socket's next call is refused, and so is HTTP.
    await expect(agentWs.api.task.claim.mutate({ agent: 'builder' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    const res = await fetch(`${server.url}/trpc/task.claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ agent: 'builder' }),
    });
    expect(res.status).toBe(401);
  });

  it('fails a run whose worker went silent ("worker timed out") and tells the board', async () => {
    const { server, people, key } = await setup({ taskTimeoutMs: 300 });
    const board = await watch(people);
    const agent = server.client(key);
    const task = await people.api.task.create.mutate({ title: 'abandoned', agent: 'builder' });
    await agent.api.task.claim.mutate({ agent: 'builder' });
    await board.until((e) => e.some((x) => x.data.type === 'run_failed'));
    expect((await people.api.task.byId.query({ id: task.id })).task).toMatchObject({
      status: 'failed',
      error: 'worker timed out',
    });
  });

  it('answers bad input with a clear error and changes nothing', async () => {
    const { server, people, key } = await setup();
    const agent = server.client(key);
    const task = await people.api.task.create.mutate({ title: 'careful', agent: 'builder' });
    await agent.api.task.claim.mutate({ agent: 'builder' });
    const bad = { data: { code: 'BAD_REQUEST' } };
    await expect(agent.api.task.progress.mutate({ id: 'no-such-task', current: 1 })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(agent.api.task.progress.mutate({ id: task.id, current: -1 })).rejects.toMatchObject(bad);
    await expect(agent.api.task.log.mutate({ id: task.id, lines: ['x'.repeat(2001)] })).rejects.toMatchObject(bad);
    await expect(
      agent.api.task.complete.mutate({ id: task.id, result: { blob: 'y'.repeat(70_000) } }),
    ).rejects.toMatchObject(bad);
    await expect(people.api.task.create.mutate({ title: '' })).rejects.toMatchObject(bad);
    await expect(people.api.task.decide.mutate({ approvalId: 'nope', approve: true })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    const detail = await people.api.task.byId.query({ id: task.id });
    expect(detail.task).toMatchObject({ status: 'in_progress', progress: { current: 0 }, result: null });
    expect(detail.logs).toEqual([]);
  });

  it('a worker carries on after the server restarts', async () => {
    const first = await setup();
    const { key } = first;
    const port = first.server.port;
    const dataDir = first.server.dataDir;
    const done: string[] = [];
    const worker = runWorker({
      url: first.server.url,
      key,
      agent: 'builder',
      pollMs: 500,
      handle: async (t) => {
        done.push(t.title);
        return null;
      },
    });
    workers.push(worker);
    await first.people.api.task.create.mutate({ title: 'before', agent: 'builder' });
    const waitFor = async (title: string) => {
      const end = Date.now() + 15_000;
      while (!done.includes(title)) {
        if (Date.now() > end) throw new Error(`worker never ran ${title}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await waitFor('before');
    await first.server.stop({ keepData: true });
    leftoverDirs.push(dataDir);
    server = await startTestServer({ dataDir, port });
    const { token } = await (async () => {
      const res = await fetch(`${server?.url}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle: 'mia', password: 'correct horse battery' }),
      });
      return ((await res.json()) as { result: { data: { token: string } } }).result.data;
    })();
    await server.client(token).api.task.create.mutate({ title: 'after', agent: 'builder' });
    await waitFor('after');
  }, 30_000);
});
