import { createOpenAICompatibleModel } from '@hubbub/assistant';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './test/fake-openai';
import { startTestServer, type TestServer } from './test/harness';
import { type Received, recordChannel, recordUser } from './test/stream';

/**
 * Agents over real sockets: an admin registers @reviewer, a member asks it by
 * mention (its instructions are the model's system prompt, its reply is
 * authored by its user, its status goes thinking → idle on the channel), a
 * direct conversation with it is answered without a mention, a failing model
 * ends its status as error, and every open user stream hears of registry changes.
 */

let server: TestServer | undefined;
let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fake?.close();
  fake = undefined;
});

interface Msg {
  id: string;
  role: string;
  status: string;
  content: string;
  authorId: string | null;
  meta: { model?: string; requestedModel?: string } | null;
}
const msg = (e: Received) => e.data.message as Msg;
const reply = (e: Received) => 'message' in e.data && msg(e).role === 'assistant';
const finishedReply = (e: Received) => e.data.type === 'message.updated' && reply(e) && msg(e).status === 'complete';
const statuses = (events: Received[]) =>
  events.filter((e) => e.data.type === 'agent.status').map((e) => `${e.data.handle} ${e.data.status}`);

/** The user stream from its start (`lastEventId`: an event id of this server's epoch at offset 0). */
const REVIEWER = {
  handle: 'reviewer',
  name: 'Reviewer',
  instructions: 'You are Reviewer. Point out one risk in what you are shown.',
  tools: ['read_channel'] as ('read_channel' | 'create_task')[],
  approval: {},
};

/** Ada (the admin, first to sign up) and Bob (a member), each with a client. */
async function people(running: TestServer) {
  const ada = await running.signup('ada');
  const bob = await running.signup('bob');
  return { ada: running.client(ada.token), bob: running.client(bob.token), bobId: bob.user.id };
}

describe('agents', () => {
  it('a mention of a registered agent is answered with its instructions, as its user, with its status on the channel', async () => {
    const tokens = ['One', ' risk', ':', ' no', ' tests', '.'];
    fake = await startFakeOpenAI({ kind: 'stream', tokens });
    server = await startTestServer({
      assistant: {
        model: createOpenAICompatibleModel({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model' }),
        deltaIntervalMs: 10,
      },
    });
    const { ada, bob } = await people(server);
    const general = (await bob.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general channel');
    // Bob's stream is open once it tells him of a channel he made; then it hears of the new agent.
    const { eventId } = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const bobsStream = recordUser(bob, `${eventId.slice(0, eventId.lastIndexOf(':'))}:0`);
    await bob.api.channel.create.mutate({ slug: 'bobs', name: 'Bob', visibility: 'private' });
    await bobsStream.until((e) => e.some((x) => x.data.type === 'channel.joined'));
    await bob.api.channel.join.mutate({ channelId: general.id });
    const agent = await ada.api.agent.upsert.mutate({ ...REVIEWER, model: 'fake-model' });
    await bobsStream.until((e) => e.some((x) => x.data.type === 'agent.changed' && x.data.handle === 'reviewer'));
    // The built-in one is registered from the start.
    expect((await bob.api.agent.list.query()).map((a) => a.handle)).toEqual(['assistant', 'reviewer']);

    const page = await bob.api.message.history.query({ channelId: general.id });
    const stream = recordChannel(bob, general.id, page.eventId);
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));
    await bob.api.message.send.mutate({ channelId: general.id, content: '@reviewer please look at my change' });
    await stream.until((e) => e.some(finishedReply) && statuses(e).includes('reviewer idle'));

    const done = msg(stream.events.find(finishedReply) as Received);
    expect(done).toMatchObject({ authorId: agent.userId, content: tokens.join(''), meta: { model: 'fake-model' } });
    expect(done.meta?.requestedModel).toBeUndefined();
    expect(statuses(stream.events)).toEqual(['reviewer thinking', 'reviewer idle']);
    // Its instructions are the system prompt; the question is the last message.
    expect(fake.requests[0]?.messages[0]).toEqual({ role: 'system', content: REVIEWER.instructions });
    expect(fake.requests[0]?.messages.at(-1)).toEqual({
      role: 'user',
      content: 'bob: @reviewer please look at my change',
    });
  });

  it("a failing model ends the agent's reply as failed and its status as error", async () => {
    fake = await startFakeOpenAI({ kind: 'status', status: 500, body: 'upstream broke' });
    server = await startTestServer({
      assistant: {
        model: createOpenAICompatibleModel({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model' }),
      },
    });
    const { ada, bob } = await people(server);
    const agent = await ada.api.agent.upsert.mutate({ ...REVIEWER, model: null });
    const dm = await bob.api.dm.open.mutate({ userIds: [agent.userId] });
    const page = await bob.api.message.history.query({ channelId: dm.id });
    const stream = recordChannel(bob, dm.id, page.eventId);
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));
    await bob.api.message.send.mutate({ channelId: dm.id, content: 'are you there?' });
    await stream.until((e) => statuses(e).includes('reviewer error'));
    expect(statuses(stream.events)).toEqual(['reviewer thinking', 'reviewer error']);
    const failed = stream.events.find((e) => e.data.type === 'message.updated' && reply(e));
    expect(failed && msg(failed)).toMatchObject({ authorId: agent.userId, status: 'failed' });
  });

  it('a direct conversation with an agent is answered without a mention (offline model, an unknown model named)', async () => {
    server = await startTestServer();
    const { ada, bob } = await people(server);
    const agent = await ada.api.agent.upsert.mutate({ ...REVIEWER, model: 'gpt-not-here' });
    const dm = await bob.api.dm.open.mutate({ userIds: [agent.userId] });
    const page = await bob.api.message.history.query({ channelId: dm.id });
    const stream = recordChannel(bob, dm.id, page.eventId);
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));
    await bob.api.message.send.mutate({ channelId: dm.id, content: 'hello, what can you do?' });
    await stream.until((e) => e.some(finishedReply) && statuses(e).includes('reviewer idle'));
    const done = msg(stream.events.find(finishedReply) as Received);
    expect(done.authorId).toBe(agent.userId);
    expect(done.content.length).toBeGreaterThan(0);
    // This server has no such model: its default one answered, and the reply says which was asked for.
    expect(done.meta).toMatchObject({ model: 'hubbub-offline-1', requestedModel: 'gpt-not-here' });
    // Bob cannot change the registry; the refusal is a FORBIDDEN, and nothing changed.
    await expect(bob.api.agent.remove.mutate({ handle: 'reviewer' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect((await bob.api.agent.get.query({ handle: 'reviewer' })).handle).toBe('reviewer');
  });

  it('workers: an agent key is online once it calls, with the task it runs; a key never used is offline, a revoked one gone', async () => {
    server = await startTestServer();
    const { ada, bob } = await people(server);
    const { key } = await ada.api.apiKey.create.mutate({ name: 'builder', role: 'agent' });
    const idle = await ada.api.apiKey.create.mutate({ name: 'sleeper', role: 'agent' });
    const worker = server.client(key);
    await bob.api.task.create.mutate({ title: 'Build it', agent: 'builder' });
    const claimed = await worker.api.task.claim.mutate({ agent: 'builder' });
    await worker.api.task.progress.mutate({ id: claimed?.id ?? '', current: 1, total: 4, step: 'compiling' });

    const workers = await bob.api.agent.workers.query();
    expect(workers.map((w) => [w.name, w.online])).toEqual([
      ['builder', true],
      ['sleeper', false],
    ]);
    expect(workers[0]?.currentTask).toMatchObject({ title: 'Build it', progress: { current: 1, total: 4 } });
    expect(workers[1]?.currentTask).toBeNull();

    await ada.api.apiKey.revoke.mutate({ id: idle.apiKey.id });
    expect((await bob.api.agent.workers.query()).map((w) => w.name)).toEqual(['builder']);
  });

  it('sessions: conversations with an agent alone are opened fresh, named, renamed and archived by their person', async () => {
    server = await startTestServer();
    const { bob, bobId } = await people(server);
    const assistant = await bob.api.agent.get.query({ handle: 'assistant' });
    const first = await bob.api.dm.open.mutate({ userIds: [assistant.userId], fresh: true, name: 'Release plan' });
    const second = await bob.api.dm.open.mutate({ userIds: [assistant.userId], fresh: true });
    expect(first.id).not.toBe(second.id);
    expect(first).toMatchObject({ kind: 'dm', name: 'Release plan', visibility: 'private' });
    // Without fresh, the one conversation of old is found again (not a session).
    const plain = await bob.api.dm.open.mutate({ userIds: [assistant.userId] });
    expect(await bob.api.dm.open.mutate({ userIds: [assistant.userId] })).toMatchObject({ id: plain.id });

    const mine = (await bob.api.channel.list.query()).items.filter((c) => c.kind === 'dm');
    expect(mine.map((c) => c.id).sort()).toEqual([first.id, second.id, plain.id].sort());
    expect(
      mine
        .find((c) => c.id === first.id)
        ?.people?.map((p) => p.userId)
        .sort(),
    ).toEqual([bobId, assistant.userId].sort());

    await bob.api.channel.update.mutate({ channelId: second.id, name: 'Bug triage' });
    await bob.api.channel.archive.mutate({ channelId: first.id });
    const after = (await bob.api.channel.list.query()).items;
    expect(after.find((c) => c.id === second.id)?.name).toBe('Bug triage');
    expect(after.find((c) => c.id === first.id)?.archivedAt).not.toBeNull();
    await bob.api.channel.unarchive.mutate({ channelId: first.id });

    // With people, a conversation stays one and keeps its people's name: no fresh ones, no renaming by a member.
    const adaId = (await bob.api.user.list.query({ query: 'ada' }))[0]?.id ?? '';
    await expect(bob.api.dm.open.mutate({ userIds: [adaId], fresh: true })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    const people2 = await bob.api.dm.open.mutate({ userIds: [adaId] });
    await expect(bob.api.channel.update.mutate({ channelId: people2.id, name: 'Mine' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
  });
});
