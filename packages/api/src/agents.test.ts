import { type BusEvent, DIRECTORY_TOPIC, type Message, type User } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Caller, createTestApp, refusal, type TestApp } from './test/app';

/**
 * The agent registry through the whole API (createCaller on an in-memory app):
 * who may read and change it, what a member sees, and that a registered agent
 * answers its mentions and its direct conversations as itself.
 */

type Person = { user: User; call: Caller };

let app: TestApp;
let admin: Person;
let alice: Person;

const reviewer = {
  handle: 'reviewer',
  name: 'Reviewer',
  instructions: 'You review code. Be terse.',
  model: 'gpt-test',
  tools: ['read_channel', 'create_task'] as const,
  approval: { create_task: 'ask' } as const,
  avatar: '🧐',
};
const upsertReviewer = () => admin.call.agent.upsert({ ...reviewer, tools: [...reviewer.tools] });

beforeEach(async () => {
  app = await createTestApp();
  admin = await app.person('admin');
  alice = await app.person('alice');
});
afterEach(async () => {
  await app.close();
});

/** Everything published on a topic from now on. */
async function recordTopic(topic: string): Promise<BusEvent[]> {
  const seen: BusEvent[] = [];
  await app.deps.hub.attach(topic, null, (event) => {
    seen.push(event);
  });
  return seen;
}

/** The finished reply after `trigger` in its channel (the offline model answers quickly). */
async function finishedReplyAfter(caller: Caller, trigger: Message): Promise<Message> {
  return vi.waitFor(
    async () => {
      const page = await caller.message.history({ channelId: trigger.channelId, limit: 10 });
      const reply = page.items.find((m) => m.role === 'assistant' && m.seq > trigger.seq);
      if (reply?.status !== 'complete') throw new Error('no finished reply yet');
      return reply;
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('agent registry', () => {
  it('an admin adds an agent; members list and get it without its instructions, admins with them', async () => {
    const agent = await upsertReviewer();
    expect(agent).toMatchObject({ handle: 'reviewer', name: 'Reviewer', builtIn: false, createdBy: admin.user.id });
    const asMember = await alice.call.agent.get({ handle: 'reviewer' });
    expect(asMember).not.toHaveProperty('instructions');
    expect(asMember).toMatchObject({ handle: 'reviewer', tools: ['read_channel', 'create_task'], avatar: '🧐' });
    expect((await admin.call.agent.get({ handle: 'reviewer' })).instructions).toBe(reviewer.instructions);
    expect((await alice.call.agent.list()).map((a) => a.handle)).toEqual(['reviewer']);
    // An agent is a member of the directory: the people pickers find it.
    expect(await alice.call.user.list({ query: 'rev' })).toEqual([
      { id: agent.userId, handle: 'reviewer', displayName: 'Reviewer', role: 'agent' },
    ]);
    expect((await refusal(() => alice.call.agent.get({ handle: 'nobody' }))).code).toBe('NOT_FOUND');
  });

  it('refuses changes from members and API keys (FORBIDDEN), and from signed-out callers', async () => {
    await upsertReviewer();
    const key = await app.apiKey(admin.user, { name: 'worker' });
    for (const caller of [alice.call, key.call]) {
      expect((await refusal(() => caller.agent.upsert({ ...reviewer, tools: [] }))).code).toBe('FORBIDDEN');
      expect((await refusal(() => caller.agent.remove({ handle: 'reviewer' }))).code).toBe('FORBIDDEN');
    }
    expect((await refusal(() => app.anonymous().agent.list())).code).toBe('UNAUTHORIZED');
    expect((await admin.call.agent.get({ handle: 'reviewer' })).instructions).toBe(reviewer.instructions);
  });

  it('validates: known tools only, approval only for allowed tools, reserved and taken handles, bounded text', async () => {
    const base = { ...reviewer, tools: [...reviewer.tools] };
    const bad = [
      { ...base, tools: ['rm_rf'] },
      { ...base, approval: { post_message: 'auto' } },
      { ...base, handle: 'everyone' },
      { ...base, handle: 'Bad Handle' },
      { ...base, name: '' },
      { ...base, instructions: 'x'.repeat(8001) },
      { ...base, model: 'm'.repeat(101) },
      { ...base, avatar: 'an avatar far too long' },
    ];
    for (const input of bad) {
      expect((await refusal(() => admin.call.agent.upsert(input as typeof base))).code).toBe('BAD_REQUEST');
    }
    // A person's handle is theirs.
    expect((await refusal(() => admin.call.agent.upsert({ ...base, handle: 'alice' }))).code).toBe('CONFLICT');
    expect(await admin.call.agent.list()).toEqual([]);
  });

  it('removes an agent (told live to every list); the built-in assistant is edited, never removed', async () => {
    await upsertReviewer();
    const directory = await recordTopic(DIRECTORY_TOPIC);
    await admin.call.agent.remove({ handle: 'reviewer' });
    expect(directory).toContainEqual({ kind: 'agents', handle: 'reviewer', removed: true });
    expect((await refusal(() => admin.call.agent.get({ handle: 'reviewer' }))).code).toBe('NOT_FOUND');
    const builtIn = await admin.call.agent.upsert({
      handle: 'assistant',
      name: 'Assistant',
      instructions: 'Answer in French.',
      tools: [],
      approval: {},
    });
    expect(builtIn.builtIn).toBe(true);
    expect(directory).toContainEqual({ kind: 'agents', handle: 'assistant', removed: false });
    expect((await refusal(() => admin.call.agent.remove({ handle: 'assistant' }))).code).toBe('FORBIDDEN');
  });
});

describe('asking agents', () => {
  it('a mention of @reviewer is answered by Reviewer: authored by its user, with status signals thinking then idle', async () => {
    const agent = await upsertReviewer();
    const general = await alice.call.channel.create({ slug: 'town', name: 'Town', visibility: 'public' });
    const signals = await recordTopic(general.id);
    const question = await alice.call.message.send({ channelId: general.id, content: '@reviewer is this ok?' });
    const reply = await finishedReplyAfter(alice.call, question);
    expect(reply).toMatchObject({ authorId: agent.userId, role: 'assistant', status: 'complete' });
    expect(reply.author?.displayName).toBe('Reviewer');
    // gpt-test is not this server's model: the default one wrote it, and the reply says which was asked for.
    expect(reply.meta).toMatchObject({
      model: 'hubbub-offline-1',
      requestedModel: 'gpt-test',
      requestedBy: alice.user.id,
    });
    await vi.waitFor(() => {
      const statuses = signals.flatMap((e) =>
        e.kind === 'signal' && e.signal.type === 'agent.status' ? [[e.signal.status, e.signal.handle]] : [],
      );
      expect(statuses).toEqual([
        ['thinking', 'reviewer'],
        ['idle', 'reviewer'],
      ]);
    });
  });

  it('every message in a direct conversation with an agent is answered, without a mention', async () => {
    const agent = await upsertReviewer();
    const dm = await alice.call.dm.open({ userIds: [agent.userId] });
    const first = await alice.call.message.send({ channelId: dm.id, content: 'hello there' });
    await finishedReplyAfter(alice.call, first);
    const second = await alice.call.message.send({ channelId: dm.id, content: 'and again' });
    const reply = await finishedReplyAfter(alice.call, second);
    expect(reply.authorId).toBe(agent.userId);
    // A conversation with a person is not asked anything.
    const withAdmin = await alice.call.dm.open({ userIds: [admin.user.id] });
    const plain = await alice.call.message.send({ channelId: withAdmin.id, content: 'hello admin' });
    const page = await alice.call.message.history({ channelId: withAdmin.id, limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([plain.id]);
  });

  it('@assistant still answers authorless, as the built-in agent; a removed agent answers no more', async () => {
    const agent = await upsertReviewer();
    const general = await alice.call.channel.create({ slug: 'town', name: 'Town', visibility: 'public' });
    const asked = await alice.call.message.send({ channelId: general.id, content: '@assistant hi' });
    const reply = await finishedReplyAfter(alice.call, asked);
    expect(reply.authorId).toBeNull();
    expect((await alice.call.agent.list()).map((a) => a.handle)).toEqual(['assistant', 'reviewer']);
    await admin.call.agent.remove({ handle: 'reviewer' });
    const dm = await alice.call.dm.open({ userIds: [agent.userId] });
    const unanswered = await alice.call.message.send({ channelId: dm.id, content: '@reviewer are you there?' });
    const page = await alice.call.message.history({ channelId: dm.id, limit: 10 });
    expect(page.items.map((m) => m.id)).toEqual([unanswered.id]);
  });
});
