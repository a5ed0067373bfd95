import type { User } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Caller, createTestApp, refusal, type TestApp } from './test/app';

/**
 * Who may call what, procedure by procedure, through createCaller on an
 * in-memory app (SQLite :memory:, the memory bus): private channels, admin-only
 * procedures, agent-only and person-only builders, a task's own rules, and
 * signed-out callers.
 */

const NO_SUCH_ID = 'no-such-id-0000';

/** What a streamed event is: createCaller hands over the stream's tracked envelopes (`[id, data]`) as they are. */
const eventType = (envelope: unknown) => (envelope as [string, { type: string }])[1].type;

type Person = { user: User; call: Caller };

let app: TestApp;
let admin: Person;
let alice: Person;
let bob: Person;

beforeEach(async () => {
  app = await createTestApp();
  admin = await app.person('admin');
  alice = await app.person('alice');
  bob = await app.person('bob');
});
afterEach(async () => {
  await app.close();
});

describe('people and keys', () => {
  it('the first person is the admin, the others members; a key is its own identity with its role', async () => {
    expect([admin.user.role, alice.user.role, bob.user.role]).toEqual(['admin', 'member', 'member']);
    const agent = await app.apiKey(admin.user, { name: 'summarizer' });
    const memberKey = await app.apiKey(admin.user, { name: 'reporter', role: 'member' });
    expect(agent.user).toMatchObject({ handle: 'summarizer', role: 'agent' });
    expect(memberKey.user).toMatchObject({ handle: 'reporter', role: 'member' });
    expect(await agent.call.auth.me()).toEqual(agent.user);
  });
});

describe('signed out', () => {
  const protectedCalls: [string, (c: Caller) => Promise<unknown>][] = [
    ['auth.me', (c) => c.auth.me()],
    ['auth.logoutAll', (c) => c.auth.logoutAll()],
    ['channel.list', (c) => c.channel.list()],
    ['channel.create', (c) => c.channel.create({ slug: 'new', name: 'New' })],
    ['channel.join', (c) => c.channel.join({ channelId: NO_SUCH_ID })],
    ['channel.members', (c) => c.channel.members({ channelId: NO_SUCH_ID })],
    ['channel.onEvent', (c) => c.channel.onEvent({ channelId: NO_SUCH_ID })],
    ['channel.invite', (c) => c.channel.invite({ channelId: NO_SUCH_ID, userIds: [NO_SUCH_ID] })],
    ['channel.removeMember', (c) => c.channel.removeMember({ channelId: NO_SUCH_ID, userId: NO_SUCH_ID })],
    ['channel.markRead', (c) => c.channel.markRead({ channelId: NO_SUCH_ID, messageId: NO_SUCH_ID })],
    ['dm.open', (c) => c.dm.open({ userIds: [NO_SUCH_ID] })],
    ['user.list', (c) => c.user.list()],
    ['user.onEvent', (c) => c.user.onEvent()],
    ['message.send', (c) => c.message.send({ channelId: NO_SUCH_ID, content: 'hi' })],
    ['message.history', (c) => c.message.history({ channelId: NO_SUCH_ID })],
    ['message.search', (c) => c.message.search({ query: 'anything' })],
    ['message.delete', (c) => c.message.delete({ messageId: NO_SUCH_ID })],
    ['message.react', (c) => c.message.react({ messageId: NO_SUCH_ID, emoji: '👍' })],
    ['message.unreact', (c) => c.message.unreact({ messageId: NO_SUCH_ID, emoji: '👍' })],
    ['task.create', (c) => c.task.create({ title: 'x' })],
    ['task.list', (c) => c.task.list({})],
    ['task.byId', (c) => c.task.byId({ id: NO_SUCH_ID })],
    ['task.onEvent', (c) => c.task.onEvent({})],
    ['task.claim', (c) => c.task.claim({ agent: 'summarizer' })],
    ['task.decide', (c) => c.task.decide({ approvalId: NO_SUCH_ID, approve: true })],
    ['apiKey.list', (c) => c.apiKey.list()],
    ['system.status', (c) => c.system.status()],
  ];

  it.each(protectedCalls)('%s is refused: UNAUTHORIZED', async (_name, call) => {
    expect(await refusal(() => call(app.anonymous()))).toEqual({ code: 'UNAUTHORIZED', message: 'sign in to do this' });
  });

  it('public procedures answer', async () => {
    expect(await app.anonymous().system.ping()).toMatchObject({ pong: true });
  });
});

describe('private channels', () => {
  let secretId: string;
  let secretMessageId: string;

  beforeEach(async () => {
    secretId = (await alice.call.channel.create({ slug: 'secret', name: 'Secret', visibility: 'private' })).id;
    secretMessageId = (await alice.call.message.send({ channelId: secretId, content: 'between us' })).id;
  });

  const channelCalls: [string, (c: Caller, channelId: string) => Promise<unknown>][] = [
    ['channel.join', (c, channelId) => c.channel.join({ channelId })],
    ['channel.leave', (c, channelId) => c.channel.leave({ channelId })],
    ['channel.members', (c, channelId) => c.channel.members({ channelId })],
    ['channel.archive', (c, channelId) => c.channel.archive({ channelId })],
    ['channel.unarchive', (c, channelId) => c.channel.unarchive({ channelId })],
    ['channel.typing', (c, channelId) => c.channel.typing({ channelId })],
    ['channel.onEvent', (c, channelId) => c.channel.onEvent({ channelId })],
    ['channel.invite', (c, channelId) => c.channel.invite({ channelId, userIds: [bob.user.id] })],
    ['channel.removeMember', (c, channelId) => c.channel.removeMember({ channelId, userId: alice.user.id })],
    ['message.history', (c, channelId) => c.message.history({ channelId })],
    ['message.search', (c, channelId) => c.message.search({ query: 'between', channelId })],
    ['message.send', (c, channelId) => c.message.send({ channelId, content: 'knock knock' })],
  ];

  it.each(channelCalls)('%s: to a non-member it is NOT_FOUND, exactly like a random id', async (_name, call) => {
    const secret = await refusal(() => call(bob.call, secretId));
    expect(secret).toEqual({ code: 'NOT_FOUND', message: 'channel not found' });
    expect(secret).toEqual(await refusal(() => call(bob.call, NO_SUCH_ID)));
  });

  const messageCalls: [string, (c: Caller, messageId: string) => Promise<unknown>][] = [
    ['message.edit', (c, messageId) => c.message.edit({ messageId, content: 'mine now' })],
    ['message.delete', (c, messageId) => c.message.delete({ messageId })],
    ['message.cancel', (c, messageId) => c.message.cancel({ messageId })],
    ['message.retry', (c, messageId) => c.message.retry({ messageId })],
    ['message.react', (c, messageId) => c.message.react({ messageId, emoji: '👍' })],
    ['message.unreact', (c, messageId) => c.message.unreact({ messageId, emoji: '👍' })],
  ];

  it.each(messageCalls)(
    '%s: its messages are NOT_FOUND to a non-member, exactly like a random id',
    async (_name, call) => {
      const secret = await refusal(() => call(bob.call, secretMessageId));
      expect(secret).toEqual({ code: 'NOT_FOUND', message: 'message not found' });
      expect(secret).toEqual(await refusal(() => call(bob.call, NO_SUCH_ID)));
    },
  );

  it('channel.markRead: its messages are NOT_FOUND to a non-member, exactly like a random id', async () => {
    const secret = await refusal(() => bob.call.channel.markRead({ channelId: secretId, messageId: secretMessageId }));
    expect(secret).toEqual({ code: 'NOT_FOUND', message: 'message not found' });
    expect(secret).toEqual(
      await refusal(() => bob.call.channel.markRead({ channelId: secretId, messageId: NO_SUCH_ID })),
    );
  });

  it('a member adds people; only its owner or an admin removes them; a direct conversation keeps its people', async () => {
    const carol = await app.person('carol');
    expect((await alice.call.channel.invite({ channelId: secretId, userIds: [bob.user.id] })).added).toEqual([
      bob.user.id,
    ]);
    // Bob, now a member, may add someone too, but not take anyone out.
    await bob.call.channel.invite({ channelId: secretId, userIds: [carol.user.id] });
    expect(await refusal(() => bob.call.channel.removeMember({ channelId: secretId, userId: carol.user.id }))).toEqual({
      code: 'FORBIDDEN',
      message: 'only the channel owner or an admin can remove people',
    });
    await alice.call.channel.removeMember({ channelId: secretId, userId: carol.user.id });
    expect(await refusal(() => carol.call.message.history({ channelId: secretId }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await refusal(() => alice.call.channel.invite({ channelId: secretId, userIds: [NO_SUCH_ID] }))).toEqual({
      code: 'NOT_FOUND',
      message: 'user not found',
    });
    const dm = await alice.call.dm.open({ userIds: [bob.user.id] });
    expect(await refusal(() => alice.call.channel.invite({ channelId: dm.id, userIds: [carol.user.id] }))).toEqual({
      code: 'FORBIDDEN',
      message: 'a direct conversation keeps its people: open a new one instead',
    });
    expect(await refusal(() => carol.call.message.history({ channelId: dm.id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a user stream carries only its own user’s changes', async () => {
    // From the start of bob's stream (the database epoch, offset 0): nothing stored for him can be missed.
    const { eventId } = await alice.call.message.history({ channelId: secretId });
    const fromStart = `${eventId.slice(0, eventId.lastIndexOf(':'))}:0`;
    const stream = (await bob.call.user.onEvent({ lastEventId: fromStart }))[Symbol.asyncIterator]();
    const next = stream.next();
    await alice.call.channel.invite({ channelId: secretId, userIds: [admin.user.id] });
    await alice.call.channel.invite({ channelId: secretId, userIds: [bob.user.id] });
    const first = await next;
    expect(eventType(first.value)).toBe('channel.joined');
    expect((first.value as [string, { channel: { id: string }; by: string }])[1]).toMatchObject({
      channel: { id: secretId },
      by: alice.user.id,
    });
    await stream.return?.(undefined);
  });

  it('message.search never finds its messages for a non-member, not even an admin; its members find them', async () => {
    const found = async (c: Caller) => (await c.message.search({ query: 'between' })).hits.map((h) => h.message.id);
    expect(await found(bob.call)).toEqual([]);
    expect(await found(admin.call)).toEqual([]);
    expect(await found(alice.call)).toEqual([secretMessageId]);
  });

  it('is not listed to a non-member, and listed to its members', async () => {
    const slugs = async (c: Caller) => (await c.channel.list()).items.map((ch) => ch.slug);
    expect(await slugs(alice.call)).toContain('secret');
    expect(await slugs(bob.call)).not.toContain('secret');
  });

  it('is NOT_FOUND even to an admin who is not a member; an admin may join it, and then reads it', async () => {
    expect(await refusal(() => admin.call.message.history({ channelId: secretId }))).toEqual({
      code: 'NOT_FOUND',
      message: 'channel not found',
    });
    await admin.call.channel.join({ channelId: secretId });
    const history = await admin.call.message.history({ channelId: secretId });
    expect(history.items.map((m) => m.content)).toEqual(['between us']);
  });

  it('its members read, post, see who is in it and follow it', async () => {
    await alice.call.message.send({ channelId: secretId, content: 'still here' });
    // Newest first.
    const history = await alice.call.message.history({ channelId: secretId });
    expect(history.items.map((m) => m.content)).toEqual(['still here', 'between us']);
    const members = await alice.call.channel.members({ channelId: secretId });
    expect(members.map((m) => [m.userId, m.role])).toEqual([[alice.user.id, 'owner']]);
    const stream = (await alice.call.channel.onEvent({ channelId: secretId }))[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(eventType(first.value)).toBe('presence');
    await stream.return?.(undefined);
  });

  it('a member who leaves loses it at once: the stream ends with the leave, then it is NOT_FOUND', async () => {
    const stream = (await alice.call.channel.onEvent({ channelId: secretId }))[Symbol.asyncIterator]();
    await stream.next();
    await alice.call.channel.leave({ channelId: secretId });
    const types: string[] = [];
    for (;;) {
      const next = await stream.next();
      if (next.done) break;
      types.push(eventType(next.value));
    }
    expect(types.at(-1)).toBe('member.left');
    expect(await refusal(() => alice.call.message.history({ channelId: secretId }))).toEqual({
      code: 'NOT_FOUND',
      message: 'channel not found',
    });
    expect(await refusal(() => alice.call.message.send({ channelId: secretId, content: 'back?' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'channel not found',
    });
  });
});

describe('public channels', () => {
  let townId: string;
  let aliceMessageId: string;

  beforeEach(async () => {
    townId = (await alice.call.channel.create({ slug: 'town', name: 'Town' })).id;
    aliceMessageId = (await alice.call.message.send({ channelId: townId, content: 'hello town' })).id;
  });

  it('anyone signed in reads one; only members post', async () => {
    expect((await bob.call.message.history({ channelId: townId })).items).toHaveLength(1);
    expect(await refusal(() => bob.call.message.send({ channelId: townId, content: 'hi' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'join the channel to post in it',
    });
    await bob.call.channel.join({ channelId: townId });
    expect((await bob.call.message.send({ channelId: townId, content: 'hi' })).content).toBe('hi');
  });

  it('anyone signed in sees who is in one; only members are shown typing', async () => {
    expect((await bob.call.channel.members({ channelId: townId })).map((m) => m.userId)).toEqual([alice.user.id]);
    expect(await bob.call.channel.typing({ channelId: townId })).toEqual({ sent: false });
    expect(await alice.call.channel.typing({ channelId: townId })).toEqual({ sent: true });
  });

  it('only its author (or an admin) edits or deletes a message', async () => {
    await bob.call.channel.join({ channelId: townId });
    const notYours = { code: 'FORBIDDEN', message: 'you can only change your own messages' };
    expect(await refusal(() => bob.call.message.edit({ messageId: aliceMessageId, content: 'bob was here' }))).toEqual(
      notYours,
    );
    expect(await refusal(() => bob.call.message.delete({ messageId: aliceMessageId }))).toEqual(notYours);
    expect((await alice.call.message.edit({ messageId: aliceMessageId, content: 'hello, town' })).content).toBe(
      'hello, town',
    );
    expect(await admin.call.message.delete({ messageId: aliceMessageId })).toEqual({ messageId: aliceMessageId });
  });

  it('only members react, with an emoji, and not in an archived channel', async () => {
    expect(await refusal(() => bob.call.message.react({ messageId: aliceMessageId, emoji: '👍' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'join the channel to post in it',
    });
    await bob.call.channel.join({ channelId: townId });
    expect(await refusal(() => bob.call.message.react({ messageId: aliceMessageId, emoji: 'lol' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await bob.call.message.react({ messageId: aliceMessageId, emoji: '👍' })).toEqual({
      messageId: aliceMessageId,
      reactions: [{ emoji: '👍', count: 1, userIds: [bob.user.id] }],
    });
    await alice.call.channel.archive({ channelId: townId });
    expect(await refusal(() => bob.call.message.unreact({ messageId: aliceMessageId, emoji: '👍' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'this channel is archived and read-only',
    });
  });

  it('only its owner (or an admin) archives it; an archived channel takes no posts and no joins', async () => {
    await bob.call.channel.join({ channelId: townId });
    expect(await refusal(() => bob.call.channel.archive({ channelId: townId }))).toEqual({
      code: 'FORBIDDEN',
      message: 'only the channel owner or an admin can archive it',
    });
    expect((await alice.call.channel.archive({ channelId: townId })).archivedAt).not.toBeNull();
    expect(await refusal(() => bob.call.message.send({ channelId: townId, content: 'hi' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refusal(() => admin.call.channel.join({ channelId: townId }))).toEqual({
      code: 'FORBIDDEN',
      message: 'this channel is archived',
    });
    const other = (await bob.call.channel.create({ slug: 'other', name: 'Other' })).id;
    expect((await admin.call.channel.archive({ channelId: other })).archivedAt).not.toBeNull();
  });

  it('only its owner (or an admin) unarchives it; then it takes posts again', async () => {
    await bob.call.channel.join({ channelId: townId });
    await alice.call.channel.archive({ channelId: townId });
    expect(await refusal(() => bob.call.channel.unarchive({ channelId: townId }))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await alice.call.channel.unarchive({ channelId: townId })).archivedAt).toBeNull();
    expect((await bob.call.message.send({ channelId: townId, content: 'back' })).content).toBe('back');
    // An admin brings back a channel nobody owns any more, #general included.
    const general = (await admin.call.channel.list({})).items.find((c) => c.slug === 'general')?.id as string;
    await admin.call.channel.archive({ channelId: general });
    expect((await admin.call.channel.unarchive({ channelId: general })).archivedAt).toBeNull();
  });
});

describe('admin-only procedures', () => {
  const onlyAdmin = { code: 'FORBIDDEN', message: 'only an admin can do this' };
  const adminCalls: [string, (c: Caller) => Promise<unknown>][] = [
    ['apiKey.create', (c) => c.apiKey.create({ name: 'sneaky' })],
    ['apiKey.list', (c) => c.apiKey.list()],
    ['apiKey.revoke', (c) => c.apiKey.revoke({ id: NO_SUCH_ID })],
    ['system.status', (c) => c.system.status()],
  ];

  it.each(adminCalls)('%s: FORBIDDEN to a member, to an agent key and to a member key', async (_name, call) => {
    const agent = await app.apiKey(admin.user, { name: 'summarizer' });
    const memberKey = await app.apiKey(admin.user, { name: 'reporter', role: 'member' });
    for (const caller of [alice.call, agent.call, memberKey.call])
      expect(await refusal(() => call(caller))).toEqual(onlyAdmin);
  });

  it('an admin mints, lists and revokes keys and reads the status; a revoked key is refused at once', async () => {
    const agent = await app.apiKey(admin.user, { name: 'summarizer' });
    expect((await admin.call.apiKey.list()).map((k) => k.name)).toEqual(['summarizer']);
    expect(await admin.call.system.status()).toMatchObject({ store: 'sqlite', bus: 'memory' });
    expect(await agent.call.task.list({})).toMatchObject({ items: [] });
    await admin.call.apiKey.revoke({ id: agent.apiKey.id });
    expect(await refusal(() => agent.call.task.list({}))).toEqual({
      code: 'UNAUTHORIZED',
      message: 'this API key was revoked',
    });
  });

  it("only an admin ends someone else's sessions", async () => {
    expect(await refusal(() => alice.call.auth.logoutAll({ userId: bob.user.id }))).toEqual({
      code: 'FORBIDDEN',
      message: "only an admin can end someone else's sessions",
    });
    expect(await alice.call.auth.logoutAll()).toEqual({ ended: 0 });
    expect(await admin.call.auth.logoutAll({ userId: bob.user.id })).toEqual({ ended: 0 });
  });
});

describe('tasks', () => {
  type Key = Awaited<ReturnType<TestApp['apiKey']>>;
  let summarizer: Key;
  let otherSummarizer: Key;
  let translator: Key;

  beforeEach(async () => {
    summarizer = await app.apiKey(admin.user, { name: 'summarizer' });
    // A second key for the same agent name: another worker process.
    otherSummarizer = await app.apiKey(admin.user, { name: 'summarizer-2', agents: ['summarizer'] });
    translator = await app.apiKey(admin.user, { name: 'translator' });
  });

  /** A task alice asked the summarizer for, claimed by the `summarizer` key. */
  const claimedTask = async (options: { sensitive?: boolean } = {}) => {
    const created = await alice.call.task.create({
      title: 'sum it up',
      agent: 'summarizer',
      input: { text: 'the secret plan' },
      ...options,
    });
    const claimed = await summarizer.call.task.claim({ agent: 'summarizer' });
    expect(claimed?.id).toBe(created.id);
    return created.id;
  };

  describe('agent-only procedures', () => {
    const needsAgent = { code: 'FORBIDDEN', message: 'this needs an agent API key' };
    const workerCalls: [string, (c: Caller, id: string) => Promise<unknown>][] = [
      ['task.claim', (c) => c.task.claim({ agent: 'summarizer' })],
      ['task.progress', (c, id) => c.task.progress({ id, current: 1 })],
      ['task.heartbeat', (c, id) => c.task.heartbeat({ id })],
      ['task.log', (c, id) => c.task.log({ id, lines: ['working'] })],
      ['task.requestApproval', (c, id) => c.task.requestApproval({ id, action: 'send the email' })],
      ['task.complete', (c, id) => c.task.complete({ id })],
      ['task.fail', (c, id) => c.task.fail({ id, error: 'gave up' })],
    ];

    it.each(workerCalls)('%s: FORBIDDEN to a person who is not an admin, and to a member key', async (_name, call) => {
      const id = await claimedTask();
      const memberKey = await app.apiKey(admin.user, { name: 'reporter', role: 'member' });
      expect(await refusal(() => call(alice.call, id))).toEqual(needsAgent);
      expect(await refusal(() => call(memberKey.call, id))).toEqual(needsAgent);
    });

    it.each(workerCalls)('%s: allowed to the worker’s agent key', async (name, call) => {
      const id = await claimedTask();
      if (name === 'task.claim') await alice.call.task.create({ title: 'another', agent: 'summarizer' });
      await expect(call(summarizer.call, id)).resolves.not.toBeNull();
    });

    it('an admin may act as a worker by hand, for any agent name', async () => {
      const { id } = await alice.call.task.create({ title: 'by hand', agent: 'anyone' });
      expect((await admin.call.task.claim({ agent: 'anyone' }))?.id).toBe(id);
      expect((await admin.call.task.complete({ id, result: 'done' })).status).toBe('completed');
    });

    it('a key claims only for the agent names it was minted for', async () => {
      await alice.call.task.create({ title: 'translate', agent: 'translator' });
      expect(await refusal(() => summarizer.call.task.claim({ agent: 'translator' }))).toEqual({
        code: 'FORBIDDEN',
        message: 'this API key claims tasks only for "summarizer", not for "translator"',
      });
      expect((await translator.call.task.claim({ agent: 'translator' }))?.title).toBe('translate');
    });
  });

  describe('own-task rules', () => {
    const byAnotherWorker = { code: 'FORBIDDEN', message: 'this task is run by another worker' };

    it('only the worker that claimed a task (or an admin) reports on it', async () => {
      const id = await claimedTask();
      for (const call of [
        () => otherSummarizer.call.task.progress({ id, current: 1 }),
        () => otherSummarizer.call.task.heartbeat({ id }),
        () => otherSummarizer.call.task.log({ id, lines: ['not mine'] }),
        () => otherSummarizer.call.task.requestApproval({ id, action: 'not mine' }),
        () => otherSummarizer.call.task.complete({ id }),
        () => otherSummarizer.call.task.fail({ id, error: 'not mine' }),
      ]) {
        expect(await refusal(call)).toEqual(byAnotherWorker);
      }
      expect((await admin.call.task.progress({ id, current: 1, total: 2 })).progress).toMatchObject({ current: 1 });
      expect((await summarizer.call.task.complete({ id })).status).toBe('completed');
    });

    it('a person cancels any task; an agent only the tasks it created', async () => {
      const { id: alices } = await alice.call.task.create({ title: 'alice asks' });
      expect(await refusal(() => summarizer.call.task.cancel({ id: alices }))).toEqual({
        code: 'FORBIDDEN',
        message: 'an agent can only cancel tasks it created',
      });
      expect((await bob.call.task.cancel({ id: alices })).status).toBe('cancelled');
      const { id: agents } = await summarizer.call.task.create({ title: 'a subtask' });
      expect((await summarizer.call.task.cancel({ id: agents })).status).toBe('cancelled');
    });

    it('approvals are decided by people signed in themselves, never by an agent (not even the one that asked) or a key', async () => {
      const id = await claimedTask();
      const memberKey = await app.apiKey(admin.user, { name: 'reporter', role: 'member' });
      const approval = await summarizer.call.task.requestApproval({ id, action: 'send the email' });
      const personOnly = { code: 'FORBIDDEN', message: 'only a person can decide this' };
      expect(await refusal(() => summarizer.call.task.decide({ approvalId: approval.id, approve: true }))).toEqual(
        personOnly,
      );
      expect(await refusal(() => translator.call.task.decide({ approvalId: approval.id, approve: true }))).toEqual(
        personOnly,
      );
      expect(await refusal(() => memberKey.call.task.decide({ approvalId: approval.id, approve: true }))).toEqual(
        personOnly,
      );
      expect(await bob.call.task.decide({ approvalId: approval.id, approve: true })).toMatchObject({
        status: 'approved',
        decidedBy: bob.user.id,
      });
    });

    it('a waiting approval and its decision reach the task’s creator and the admins on their own streams, no one else', async () => {
      const id = await claimedTask();
      const approval = await summarizer.call.task.requestApproval({ id, action: 'send the email' });
      await bob.call.task.decide({ approvalId: approval.id, approve: false });
      /** The first events of a person's own stream, read from its start. */
      const streamOf = async (who: Person, count: number) => {
        const lastEventId = `${app.deps.stores.people.epoch()}:0`;
        const stream = (await who.call.user.onEvent({ lastEventId }))[Symbol.asyncIterator]();
        const changes: unknown[] = [];
        while (changes.length < count) changes.push(((await stream.next()).value as [string, unknown])[1]);
        await stream.return?.(undefined);
        return changes;
      };
      const requested = { type: 'approval.requested', taskId: id, taskTitle: 'sum it up', approvalId: approval.id };
      const decided = { type: 'approval.decided', approvalId: approval.id, status: 'rejected', decidedBy: bob.user.id };
      for (const who of [alice, admin]) {
        expect(await streamOf(who, 2)).toEqual([expect.objectContaining(requested), expect.objectContaining(decided)]);
      }
      expect(await app.deps.stores.people.eventsAfter(bob.user.id, 0, 10)).toEqual([]);
    });
  });

  describe('sensitive input', () => {
    it('input, result and log go to the creator, the worker, the agent keys it is for and admins; others get it redacted', async () => {
      const { id } = await alice.call.task.create({
        title: 'private',
        agent: 'summarizer',
        input: { text: 'the secret plan' },
        sensitive: true,
      });
      // Before the claim: the keys minted for its agent may read it (to decide to take it), others not.
      const seen = async (c: Caller) => (await c.task.byId({ id })).task;
      expect((await seen(otherSummarizer.call)).input).toEqual({ text: 'the secret plan' });
      expect(await seen(translator.call)).toMatchObject({ input: null, redacted: true });

      await summarizer.call.task.claim({ agent: 'summarizer' });
      await summarizer.call.task.log({ id, lines: ['read the plan'] });
      await summarizer.call.task.complete({ id, result: { summary: 'a plan' } });

      for (const reader of [alice.call, admin.call, summarizer.call, otherSummarizer.call]) {
        const { task, logs } = await reader.task.byId({ id });
        expect(task).toMatchObject({
          input: { text: 'the secret plan' },
          result: { summary: 'a plan' },
          redacted: false,
        });
        expect(logs.map((l) => l.line)).toEqual(['read the plan']);
      }
      for (const reader of [bob.call, translator.call]) {
        const { task, logs } = await reader.task.byId({ id });
        expect(task).toMatchObject({ title: 'private', input: null, result: null, redacted: true });
        expect(logs).toEqual([]);
        const listed = (await reader.task.list({})).items.find((t) => t.id === id);
        expect(listed).toMatchObject({ input: null, result: null, redacted: true });
      }
    });

    it('a task that is not sensitive is shared with every signed-in caller', async () => {
      const id = await claimedTask();
      for (const reader of [bob.call, translator.call]) {
        expect((await reader.task.byId({ id })).task).toMatchObject({
          input: { text: 'the secret plan' },
          redacted: false,
        });
      }
    });
  });
});
