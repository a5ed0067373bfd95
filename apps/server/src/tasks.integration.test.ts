import { rmSync } from 'node:fs';
import { runWorker, type Worker } from '@hubbub/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { rawSocket } from './test/raw-socket';
import { recordEvents } from './test/stream';

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
  data: {
    type: string;
    task?: { id: string; status: string; progress: { current: number }; input?: unknown; result?: unknown };
    [k: string]: unknown;
  };
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
  const lastEventId = input.lastEventId ?? (await client.api.task.list.query({ limit: 1 })).eventId;
  return recordEvents<Seen>((handlers) =>
    client.api.task.onEvent.subscribe(
      { ...input, lastEventId },
      { onData: (event) => handlers.onData(event as unknown as Seen), onError: handlers.onError },
    ),
  );
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
    const second = await boss.api.apiKey.create.mutate({ name: 'builder-2', role: 'agent', agents: ['builder'] });
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
    await vi.waitFor(() => expect(aborted).toBe(true), { timeout: 8000 });
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
    let refusedWith: string | null = null;
    const agentWs = server.client(key, {
      allOverWebSocket: true,
      onUnauthorized: (reason) => {
        refusedWith = reason;
      },
    });
    expect(await agentWs.api.task.claim.mutate({ agent: 'builder' })).toBeNull();
    expect((await boss.api.apiKey.list.query()).map((k) => k.name)).toEqual(['builder']);
    await boss.api.apiKey.revoke.mutate({ id: apiKey.id });
    // The open socket is closed at once (4401, with the reason), and the client stops reconnecting; HTTP is refused.
    await vi.waitFor(() => expect(refusedWith).toBe('this API key was revoked'));
    await expect(agentWs.api.task.claim.mutate({ agent: 'builder' })).rejects.toBeInstanceOf(Error);
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

  it('a worker whose key is revoked stops at once and says why', async () => {
    const { boss, apiKey, key } = await setup();
    const worker = runWorker({ url: server?.url as string, key, agent: 'builder', handle: async () => null });
    workers.push(worker);
    // The worker follows the task stream: its socket is open and signed in once it is subscribed.
    await vi.waitFor(() => expect(server?.hubbub.deps.hub.stats.subscriptions).toBeGreaterThan(0));
    await boss.api.apiKey.revoke.mutate({ id: apiKey.id });
    await expect(worker.done).rejects.toThrow("the server refused this worker's API key: this API key was revoked");
  });

  it('a worker past the write limit waits as long as the server asks, and its task still completes', async () => {
    const { people, key } = await setup({ limits: { writes: { burst: 3, perSecond: 20 } } });
    const waits: string[] = [];
    const task = await people.api.task.create.mutate({ title: 'chatty', agent: 'builder', totalSteps: 12 });
    const worker = runWorker({
      url: server?.url as string,
      key,
      agent: 'builder',
      onEvent: (event) => {
        if (event.type === 'retrying') waits.push(event.error);
      },
      handle: async (_t, ctx) => {
        for (let i = 1; i <= 12; i++) await ctx.progress(i);
        return 'done';
      },
    });
    workers.push(worker);
    await vi.waitFor(
      async () => expect((await people.api.task.byId.query({ id: task.id })).task.status).toBe('completed'),
      { timeout: 15_000 },
    );
    expect((await people.api.task.byId.query({ id: task.id })).task.progress.current).toBe(12);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatch(/too many changes/);
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
    const ran = (title: string) => vi.waitFor(() => expect(done).toContain(title), { timeout: 15_000 });
    await ran('before');
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
    const after = await server.client(token).api.task.create.mutate({ title: 'after', agent: 'builder' });
    await ran('after');
    // Each task ran once, and the one created after the restart is stored as done by the same worker.
    expect(done).toEqual(['before', 'after']);
    await vi.waitFor(
      async () =>
        expect((await server?.client(token).api.task.byId.query({ id: after.id }))?.task.status).toBe('completed'),
      { timeout: 15_000 },
    );
  }, 30_000);

  it('a sensitive task: input, result and log reach its creator, its worker and admins, never another member', async () => {
    const { server, boss, people, key } = await setup();
    const nosy = await server.signup('nosy');
    const other = server.client(nosy.token);
    const agent = server.client(key);
    // The other member follows the stream twice: with the typed client, and as the raw frames every subscriber shares.
    const board = await watch(other);
    const raw = await rawSocket(`${server.wsUrl}?token=${nosy.token}`);
    const { eventId } = await other.api.task.list.query({ limit: 1 });
    raw.ws.send(
      JSON.stringify({
        id: 1,
        method: 'subscription',
        params: { path: 'task.onEvent', input: { lastEventId: eventId } },
      }),
    );
    await raw.frame((f) => f.id === 1 && (f.result as { type?: string })?.type === 'started');
    const rawEvent = (type: string) => (f: Record<string, unknown>) =>
      (f.result as { data?: { data?: { type?: string } } })?.data?.data?.type === type;

    const task = await people.api.task.create.mutate({
      title: 'rotate the database password',
      agent: 'builder',
      input: { password: 'hunter2-input' },
      sensitive: true,
    });
    expect(task).toMatchObject({ input: { password: 'hunter2-input' }, sensitive: true, redacted: false });
    // The worker is the claimer: its claim's answer carries the input.
    expect(await agent.api.task.claim.mutate({ agent: 'builder' })).toMatchObject({
      id: task.id,
      input: { password: 'hunter2-input' },
      redacted: false,
    });
    await agent.api.task.log.mutate({ id: task.id, lines: ['logged in with hunter2-log'] });
    await agent.api.task.complete.mutate({ id: task.id, result: { rotatedTo: 'hunter2-result' } });
    await board.until((e) => e.some((x) => x.data.type === 'run_complete'));
    await raw.frame(rawEvent('run_complete'));

    // The stream told the other member that things happened, and nothing of what was in them.
    expect(board.events.map((e) => e.data.type)).toEqual(['run_created', 'run_update', 'log', 'run_complete']);
    for (const e of board.events.filter((x) => x.data.task)) {
      expect(e.data.task).toMatchObject({ id: task.id, input: null, result: null, sensitive: true, redacted: true });
    }
    expect(board.events[2]?.data).toEqual({ type: 'log', taskId: task.id, lines: [], redacted: true });
    expect(board.events[3]?.data.task?.status).toBe('completed');
    expect(JSON.stringify(board.events)).not.toContain('hunter2');
    expect(raw.frames.filter(rawEvent('log'))).toHaveLength(1);
    expect(JSON.stringify(raw.frames)).not.toContain('hunter2');

    // Nor do their list and the task's detail.
    const listed = (await other.api.task.list.query({})).items;
    expect(listed.find((t) => t.id === task.id)).toMatchObject({ status: 'completed', input: null, redacted: true });
    const detail = await other.api.task.byId.query({ id: task.id });
    expect(detail.task).toMatchObject({ status: 'completed', input: null, result: null, redacted: true });
    expect(detail.logs).toEqual([]);
    expect(detail.timeline.map((t) => t.status)).toEqual(['queued', 'in_progress', 'completed']);
    expect(JSON.stringify([listed, detail])).not.toContain('hunter2');

    // The creator, the worker and an admin read all of it.
    for (const [who, reader] of [
      ['creator', people],
      ['worker', agent],
      ['admin', boss],
    ] as const) {
      const seen = await reader.api.task.byId.query({ id: task.id });
      expect(seen.task, who).toMatchObject({
        input: { password: 'hunter2-input' },
        result: { rotatedTo: 'hunter2-result' },
        redacted: false,
      });
      expect(
        seen.logs.map((l) => l.line),
        who,
      ).toEqual(['logged in with hunter2-log']);
      const inList = (await reader.api.task.list.query({})).items.find((t) => t.id === task.id);
      expect(inList?.input, who).toEqual({ password: 'hunter2-input' });
    }
    raw.ws.close();
  });

  it('an agent key claims only for the agent names it was minted for; tasks for any agent stay open to it', async () => {
    const { server, boss, people, key, apiKey } = await setup();
    expect(apiKey.agents).toEqual(['builder']);
    const ops = await boss.api.apiKey.create.mutate({
      name: 'ops-bot',
      role: 'agent',
      agents: ['deployer', 'janitor'],
    });
    expect(ops.apiKey.agents).toEqual(['deployer', 'janitor']);
    expect((await boss.api.apiKey.list.query()).map((k) => [k.name, k.agents])).toEqual(
      expect.arrayContaining([
        ['builder', ['builder']],
        ['ops-bot', ['deployer', 'janitor']],
      ]),
    );
    await expect(boss.api.apiKey.create.mutate({ name: 'bad-bot', agents: ['no spaces'] })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });

    const deploy = await people.api.task.create.mutate({
      title: 'deploy',
      agent: 'deployer',
      input: { token: 'deploy-secret' },
      sensitive: true,
    });
    const builder = server.client(key, { allOverWebSocket: true });
    const refused = {
      data: { code: 'FORBIDDEN' },
      message: 'this API key claims tasks only for "builder", not for "deployer"',
    };
    await expect(builder.api.task.claim.mutate({ agent: 'deployer' })).rejects.toMatchObject(refused);
    const overHttp = await fetch(`${server.url}/trpc/task.claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ agent: 'deployer' }),
    });
    expect(overHttp.status).toBe(403);
    expect((await people.api.task.byId.query({ id: deploy.id })).task.status).toBe('queued');
    // A sensitive task is readable by the keys minted for its agent before anyone claims it, by no other key.
    expect((await builder.api.task.byId.query({ id: deploy.id })).task).toMatchObject({ input: null, redacted: true });
    const opsClient = server.client(ops.key);
    expect((await opsClient.api.task.byId.query({ id: deploy.id })).task.input).toEqual({ token: 'deploy-secret' });

    // A task for any agent is claimable by the builder key, under its own name.
    const open = await people.api.task.create.mutate({ title: 'anyone may' });
    expect(await builder.api.task.claim.mutate({ agent: 'builder' })).toMatchObject({ id: open.id, agent: 'builder' });
    expect(await opsClient.api.task.claim.mutate({ agent: 'deployer' })).toMatchObject({
      id: deploy.id,
      input: { token: 'deploy-secret' },
    });
    // An admin trying things by hand claims for any agent.
    const odd = await people.api.task.create.mutate({ title: 'odd job', agent: 'nobody-has-this' });
    expect(await boss.api.task.claim.mutate({ agent: 'nobody-has-this' })).toMatchObject({ id: odd.id });
  });
});
