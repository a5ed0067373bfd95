import { createOpenAICompatibleModel } from '@hubbub/assistant';
import type { Message } from '@hubbub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './test/fake-openai';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel, type Received, recordChannel, recordUser } from './test/stream';

/**
 * The tool loop over real sockets: the built-in offline model's commands call
 * tools through the same AI SDK loop a real endpoint does (and a fake OpenAI
 * endpoint streams real tool-call chunks); calls that change something wait for
 * the asker's (or an admin's) decision — across a restart too; tools act as the
 * asker and never read what the asker cannot.
 */

let server: TestServer | undefined;
let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fake?.close();
  fake = undefined;
});

const FAST = { offlineTokenIntervalMs: 1, deltaIntervalMs: 5 };

/** Ada (admin), Bob and Carol (members) in #general, each with a client. */
async function people(running: TestServer) {
  const [ada, bob, carol] = [await running.signup('ada'), await running.signup('bob'), await running.signup('carol')];
  const clients = {
    ada: running.client(ada.token),
    bob: running.client(bob.token),
    carol: running.client(carol.token),
  };
  const general = await generalChannel(clients.bob);
  for (const client of [clients.bob, clients.carol]) await client.api.channel.join.mutate({ channelId: general.id });
  return { ...clients, general, bobId: bob.user.id, bobToken: bob.token };
}

const isReply = (e: Received) => 'message' in e.data && (e.data.message as Message).role === 'assistant';
const replyIn = (e: Received) => e.data.message as Message;

/** The reply to Bob's question once it is `done` (as the channel stream tells it). */
async function replyTo(
  stream: ReturnType<typeof recordChannel>,
  done: (reply: Message) => boolean,
  after = 0,
): Promise<Message> {
  const events = await stream.until((all) => all.slice(after).some((e) => isReply(e) && done(replyIn(e))), 15_000);
  return replyIn([...events].reverse().find((e) => isReply(e) && done(replyIn(e))) as Received);
}
const finished = (reply: Message) => reply.status === 'complete';
const awaiting = (reply: Message) => reply.status === 'streaming' && reply.meta?.awaitingApproval === true;

describe('the tool loop with the offline model', () => {
  it('find: a read-only search_messages call streams as a part, runs at once, and reads only what the asker may', async () => {
    server = await startTestServer({ assistant: FAST });
    const { ada, bob, general } = await people(server);
    const secret = await ada.api.channel.create.mutate({ slug: 'board', name: 'Board', visibility: 'private' });
    await ada.api.message.send.mutate({ channelId: secret.id, content: 'the zebra budget is secret' });
    await bob.api.message.send.mutate({ channelId: general.id, content: 'zebra crossings are painted' });

    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    // Both streams are live: the user stream once it tells Bob of a channel he makes.
    const bobsStream = recordUser(bob, `${page.eventId.slice(0, page.eventId.lastIndexOf(':'))}:0`);
    await bob.api.channel.create.mutate({ slug: 'bobs', name: 'Bob', visibility: 'private' });
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));
    await bobsStream.until((e) => e.some((x) => x.data.type === 'channel.joined'));
    await bob.api.message.send.mutate({ channelId: general.id, content: '@assistant find zebra' });
    const reply = await replyTo(stream, finished);
    // The agent's status, on the channel and on the asker's own stream: thinking, calling the tool, idle.
    const statuses = (events: Received[]) =>
      events.filter((e) => e.data.type === 'agent.status').map((e) => [e.data.status, e.data.tool ?? null]);
    const expected = [
      ['thinking', null],
      ['calling', 'search_messages'],
      ['thinking', null],
      ['idle', null],
    ];
    await stream.until((e) => statuses(e).length === 4);
    expect(statuses(stream.events)).toEqual(expected);
    await bobsStream.until((e) => statuses(e).length === 4);
    expect(statuses(bobsStream.events)).toEqual(expected);
    expect(bobsStream.events.find((e) => e.data.type === 'agent.status')?.data).toMatchObject({
      channelId: general.id,
      handle: 'assistant',
      messageId: reply.id,
    });

    expect(reply.meta?.toolCalls).toHaveLength(1);
    const [call] = reply.meta?.toolCalls ?? [];
    expect(call).toMatchObject({ toolName: 'search_messages', state: 'done', input: { query: 'zebra' }, step: 0 });
    expect(call?.approvalId).toBeUndefined();
    // The call stands after the line said before it; the answer follows.
    expect(reply.content.slice(0, call?.at)).toBe('Searching for “zebra”…');
    expect(reply.content.slice(call?.at)).toContain('zebra crossings are painted');
    const hits = (call?.output as { hits: { text: string; channel: string }[] } | undefined)?.hits ?? [];
    // The painted crossings and the question itself; never the private board.
    expect(new Set(hits.map((h) => h.channel))).toEqual(new Set(['general']));
    expect(JSON.stringify(call?.output)).not.toContain('budget');
    // The call was shown running before it was done (a stored change, replayed on resume).
    const states = stream.events
      .filter((e) => isReply(e) && replyIn(e).id === reply.id)
      .flatMap((e) => replyIn(e).meta?.toolCalls?.map((c) => c.state) ?? []);
    expect(states).toContain('running');
    // Reloaded, the reply is the same parts.
    const stored = (await bob.api.message.history.query({ channelId: general.id, limit: 1 })).items[0];
    expect(stored?.meta?.toolCalls).toEqual(reply.meta?.toolCalls);
  }, 60_000);

  it('create_task waits for approval, refuses other members, still waits after a restart, and runs once the asker approves', async () => {
    server = await startTestServer({ assistant: FAST });
    const { bob, carol, general, bobId, bobToken } = await people(server);
    const bobsStream = recordUser(bob);
    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    await bob.api.message.send.mutate({
      channelId: general.id,
      content: '@assistant create a task "Ship it" for worker',
    });
    const waiting = await replyTo(stream, awaiting);
    const [call] = waiting.meta?.toolCalls ?? [];
    expect(call).toMatchObject({
      toolName: 'create_task',
      state: 'awaiting-approval',
      input: { title: 'Ship it', agent: 'worker' },
    });
    expect(call?.approvalId).toBeTruthy();
    const approvalAsked = await bobsStream.until((e) => e.some((x) => x.data.type === 'tool.approval.requested'));
    expect(approvalAsked.find((x) => x.data.type === 'tool.approval.requested')?.data).toMatchObject({
      messageId: waiting.id,
      toolCallId: call?.toolCallId,
      toolName: 'create_task',
      agentHandle: 'assistant',
    });
    const decision = { messageId: waiting.id, toolCallId: call?.toolCallId ?? '', approved: true };
    await expect(carol.api.message.decideTool.mutate(decision)).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect((await bob.api.task.list.query({})).items).toHaveLength(0);

    // The server stops while the reply waits; after it starts again, the reply still waits.
    const { dataDir, secret } = server;
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir, secret, assistant: FAST });
    // Bob's sign-in outlives the restart (its session is stored).
    const bobClient = server.client(bobToken);
    const after = (await bobClient.api.message.history.query({ channelId: general.id, limit: 1 })).items[0];
    expect(after).toMatchObject({ id: waiting.id, status: 'streaming', meta: { awaitingApproval: true } });

    const again = recordChannel(
      bobClient,
      general.id,
      (await bobClient.api.message.history.query({ channelId: general.id, limit: 1 })).eventId,
    );
    await bobClient.api.message.decideTool.mutate(decision);
    const done = await replyTo(again, finished);
    expect(done.meta?.toolCalls?.[0]).toMatchObject({
      state: 'done',
      decidedBy: { id: bobId, displayName: 'bob' },
      output: { title: 'Ship it', agent: 'worker', status: 'queued' },
    });
    expect(done.content).toContain('“Ship it” is queued for worker');
    expect(done.meta?.awaitingApproval).toBeUndefined();
    const tasks = (await bobClient.api.task.list.query({})).items;
    expect(tasks.map((t) => [t.title, t.agent, t.createdBy])).toEqual([['Ship it', 'worker', bobId]]);
    // A second decision is refused: the call is done.
    await expect(bobClient.api.message.decideTool.mutate(decision)).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
  }, 90_000);

  it('an admin may deny with a reason: the tool never runs and the model hears why; Stop ends a waiting call', async () => {
    server = await startTestServer({ assistant: FAST });
    const { ada, bob, general } = await people(server);
    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    await bob.api.message.send.mutate({ channelId: general.id, content: '@assistant create a task "Delete prod"' });
    const waiting = await replyTo(stream, awaiting);
    const toolCallId = waiting.meta?.toolCalls?.[0]?.toolCallId ?? '';
    // A script's key decides nothing, not even an admin's (a person signed in themselves does).
    const { key } = await ada.api.apiKey.create.mutate({ name: 'script', role: 'member' });
    await expect(
      server.client(key).api.message.decideTool.mutate({ messageId: waiting.id, toolCallId, approved: true }),
    ).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await ada.api.message.decideTool.mutate({
      messageId: waiting.id,
      toolCallId,
      approved: false,
      reason: 'too risky',
    });
    const done = await replyTo(stream, finished);
    expect(done.meta?.toolCalls?.[0]).toMatchObject({
      state: 'denied',
      reason: 'too risky',
      decidedBy: { displayName: 'ada' },
    });
    expect(done.content).toContain('denied (“too risky”)');
    expect((await bob.api.task.list.query({})).items).toHaveLength(0);

    const seen = stream.events.length;
    await bob.api.message.send.mutate({ channelId: general.id, content: '@assistant create a task "Later"' });
    const second = await replyTo(stream, awaiting, seen);
    await bob.api.message.cancel.mutate({ messageId: second.id });
    const stopped = (await bob.api.message.history.query({ channelId: general.id, limit: 1 })).items[0];
    expect(stopped).toMatchObject({ id: second.id, status: 'cancelled' });
    expect(stopped?.meta?.toolCalls?.[0]).toMatchObject({ state: 'denied', reason: 'stopped' });
    expect((await bob.api.task.list.query({})).items).toHaveLength(0);
  }, 60_000);

  it('plan: update_todos writes the conversation’s plan, live on the channel; a second agent has its own tools', async () => {
    server = await startTestServer({ assistant: FAST });
    const { ada, bob, general } = await people(server);
    const planner = await ada.api.agent.upsert.mutate({
      handle: 'planner',
      name: 'Planner',
      instructions: 'You plan.',
      tools: ['update_todos'],
      approval: {},
    });
    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    await bob.api.message.send.mutate({ channelId: general.id, content: '@planner plan: draft; review; publish' });
    const planned = await replyTo(stream, finished);
    expect(planned.authorId).toBe(planner.userId);
    expect(planned.meta?.toolCalls?.[0]).toMatchObject({ toolName: 'update_todos', state: 'done' });
    const live = stream.events.find((e) => e.data.type === 'todo.updated');
    expect(live?.data.todos).toMatchObject({
      items: [{ content: 'draft' }, { content: 'review' }, { content: 'publish' }],
    });
    const todos = await bob.api.todo.list.query({ channelId: general.id });
    expect(todos.items.map((i) => [i.content, i.status])).toEqual([
      ['draft', 'pending'],
      ['review', 'pending'],
      ['publish', 'pending'],
    ]);
    expect(todos.updatedBy).toBe(planner.userId);

    // The planner may not search: it says so and calls nothing.
    const seen = stream.events.length;
    await bob.api.message.send.mutate({ channelId: general.id, content: '@planner find draft' });
    const refused = await replyTo(stream, finished, seen);
    expect(refused.meta?.toolCalls).toBeUndefined();
    expect(refused.content).toContain('search_messages');
  }, 60_000);
});

describe('the tool loop with an OpenAI-compatible endpoint', () => {
  it('streams a real tool call, runs it as the asker, and sends the result back for the answer', async () => {
    fake = await startFakeOpenAI({
      kind: 'tool-call',
      name: 'read_channel',
      arguments: { limit: 5 },
      answer: ['Two', ' messages', '.'],
    });
    server = await startTestServer({
      assistant: {
        model: createOpenAICompatibleModel({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model' }),
        deltaIntervalMs: 5,
      },
    });
    const { bob, general } = await people(server);
    await bob.api.message.send.mutate({ channelId: general.id, content: 'the deploy is at noon' });
    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    await bob.api.message.send.mutate({ channelId: general.id, content: '@assistant what did I say?' });
    const reply = await replyTo(stream, finished);
    expect(reply.content).toBe('Two messages.');
    expect(reply.meta?.toolCalls?.[0]).toMatchObject({
      toolName: 'read_channel',
      state: 'done',
      input: { limit: 5 },
      at: 0,
    });
    // The endpoint was offered the agent's tools, and its second request carried the tool's result.
    expect(fake.requests[0]?.tools?.map((t) => t.function.name)).toContain('read_channel');
    const result = fake.requests[1]?.messages.find((m) => m.role === 'tool');
    expect(result?.content).toContain('the deploy is at noon');
  }, 60_000);

  it('an approval-gated call from the endpoint waits, and once approved runs and goes back to the endpoint', async () => {
    fake = await startFakeOpenAI({
      kind: 'tool-call',
      name: 'create_task',
      arguments: { title: 'Rotate keys', agent: 'ops' },
      answer: ['Created', '.'],
    });
    server = await startTestServer({
      assistant: {
        model: createOpenAICompatibleModel({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model' }),
        deltaIntervalMs: 5,
      },
    });
    const { bob, general } = await people(server);
    const page = await bob.api.message.history.query({ channelId: general.id, limit: 1 });
    const stream = recordChannel(bob, general.id, page.eventId);
    await bob.api.message.send.mutate({ channelId: general.id, content: '@assistant rotate the keys' });
    const waiting = await replyTo(stream, awaiting);
    expect(fake.requests).toHaveLength(1);
    const toolCallId = waiting.meta?.toolCalls?.[0]?.toolCallId ?? '';
    expect(toolCallId).toBe('call_fake_1');
    await bob.api.message.decideTool.mutate({ messageId: waiting.id, toolCallId, approved: true });
    const done = await replyTo(stream, finished);
    expect(done.content).toBe('Created.');
    expect(done.meta?.toolCalls?.[0]).toMatchObject({ state: 'done', output: { title: 'Rotate keys', agent: 'ops' } });
    // The endpoint got the call and its result back, as OpenAI's protocol has them.
    const messages = fake.requests[1]?.messages ?? [];
    const result = messages.find((m) => m.role === 'tool');
    expect(result).toMatchObject({ tool_call_id: 'call_fake_1' });
    expect(result?.content).toContain('Rotate keys');
    expect((await bob.api.task.list.query({})).items.map((t) => t.title)).toEqual(['Rotate keys']);
  }, 60_000);
});
