import { runWorker, type Worker, type WorkerEvent } from '@hubbub/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';

let server: TestServer | undefined;
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await server?.stop();
  server = undefined;
});

/** A member who creates tasks, and an agent key that claims them. */
async function setup() {
  server = await startTestServer();
  const admin = await server.signup('admin');
  const member = await server.signup('mia');
  const { key } = await server.client(admin.token).api.apiKey.create.mutate({ name: 'builder', role: 'agent' });
  return { server, people: server.client(member.token), key };
}

describe('error reasons over the wire (data.reason)', () => {
  it('a call on a cancelled task carries task_cancelled over HTTP and over the WebSocket; other conflicts carry none', async () => {
    const { server, people, key } = await setup();
    const overHttp = server.client(key);
    const overWs = server.client(key, { allOverWebSocket: true });
    const task = await people.api.task.create.mutate({ title: 'long job', agent: 'builder' });
    expect(await overHttp.api.task.claim.mutate({ agent: 'builder' })).toMatchObject({ id: task.id });
    await people.api.task.cancel.mutate({ id: task.id });

    const cancelled = { data: { code: 'CONFLICT', reason: 'task_cancelled' } };
    await expect(overHttp.api.task.progress.mutate({ id: task.id, current: 1 })).rejects.toMatchObject(cancelled);
    await expect(overWs.api.task.progress.mutate({ id: task.id, current: 1 })).rejects.toMatchObject(cancelled);
    await expect(overWs.api.task.complete.mutate({ id: task.id })).rejects.toMatchObject(cancelled);
    await expect(people.api.task.cancel.mutate({ id: task.id })).rejects.toMatchObject(cancelled);

    // Completed, not cancelled: the same code, no reason.
    const done = await people.api.task.create.mutate({ title: 'short job', agent: 'builder' });
    await overHttp.api.task.claim.mutate({ agent: 'builder' });
    await overHttp.api.task.complete.mutate({ id: done.id });
    const refused = await overWs.api.task.complete.mutate({ id: done.id }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ data: { code: 'CONFLICT' } });
    expect((refused as { data: Record<string, unknown> }).data).not.toHaveProperty('reason');
  });

  it('a worker whose call is refused with task_cancelled stops the run as cancelled, not failed', async () => {
    const { server, people, key } = await setup();
    let cancelledNow: () => void = () => {};
    const cancelledOnServer = new Promise<void>((resolve) => {
      cancelledNow = resolve;
    });
    let progressError: unknown = null;
    const events: WorkerEvent[] = [];
    workers.push(
      runWorker({
        url: server.url,
        key,
        agent: 'builder',
        onEvent: (e) => events.push(e),
        handle: async (_task, ctx) => {
          await cancelledOnServer;
          // The worker learns of the cancellation from this refusal (whether or not the live event came first).
          await ctx.progress(1).catch((error: unknown) => {
            progressError = error;
            throw error;
          });
          return 'not reached';
        },
      }),
    );
    const task = await people.api.task.create.mutate({ title: 'long job', agent: 'builder' });
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('claimed'));
    await people.api.task.cancel.mutate({ id: task.id });
    cancelledNow();
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('cancelled'));
    expect((progressError as Error | null)?.name).toBe('Cancelled');
    expect(events.map((e) => e.type)).not.toContain('failed');
  });
});
