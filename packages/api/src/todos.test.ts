import { type BusEvent, TODO_LIMITS, type User } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { replaceChannelTodos } from './routers/todo';
import { type Caller, createTestApp, refusal, type TestApp } from './test/app';

/**
 * A channel's plan through createCaller on the in-memory app: who may read it (the channel's readers), who
 * may tick it (the send rule), and that every change reaches the bus as its stored todo.updated.
 */

const NO_SUCH_ID = 'no-such-id-0000';
const plan = [
  { content: 'read the issue', status: 'done' as const },
  { content: 'write the store' },
  { content: 'document it' },
];

type Person = { user: User; call: Caller };

let app: TestApp;
let alice: Person;
let bob: Person;

beforeEach(async () => {
  app = await createTestApp();
  await app.person('admin');
  alice = await app.person('alice');
  bob = await app.person('bob');
});
afterEach(async () => {
  await app.close();
});

/** Every event the bus carries for the channel, as it comes. */
async function busRecorder(channelId: string) {
  const seen: BusEvent[] = [];
  await app.deps.bus.subscribe(channelId, (event) => seen.push(event));
  return seen;
}

describe('signed out', () => {
  it('todo.list and todo.update are UNAUTHORIZED', async () => {
    const anonymous = app.anonymous();
    expect(await refusal(() => anonymous.todo.list({ channelId: NO_SUCH_ID }))).toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(
      await refusal(() => anonymous.todo.update({ channelId: NO_SUCH_ID, id: NO_SUCH_ID, status: 'done' })),
    ).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('a private channel', () => {
  it('is NOT_FOUND to a non-member, for list and update alike, exactly like a random id', async () => {
    const secret = await alice.call.channel.create({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const todos = await replaceChannelTodos(app.deps, secret.id, plan, alice.user.id);
    const id = todos.items[1]?.id ?? '';
    const calls: [string, (c: Caller, channelId: string) => Promise<unknown>][] = [
      ['todo.list', (c, channelId) => c.todo.list({ channelId })],
      ['todo.update', (c, channelId) => c.todo.update({ channelId, id, status: 'done' })],
    ];
    for (const [name, call] of calls) {
      const refused = await refusal(() => call(bob.call, secret.id));
      expect(refused, name).toEqual({ code: 'NOT_FOUND', message: 'channel not found' });
      expect(refused, name).toEqual(await refusal(() => call(bob.call, NO_SUCH_ID)));
    }
    // Nothing changed; its member reads it.
    expect(await alice.call.todo.list({ channelId: secret.id })).toEqual(todos);
  });
});

describe('a public channel', () => {
  let townId: string;
  beforeEach(async () => {
    townId = (await alice.call.channel.create({ slug: 'town', name: 'Town' })).id;
  });

  it('has an empty plan at first, which anyone signed in reads', async () => {
    expect(await bob.call.todo.list({ channelId: townId })).toEqual({
      channelId: townId,
      items: [],
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('a member ticks an item: the list comes back and its todo.updated reaches the bus as stored', async () => {
    const { items } = await replaceChannelTodos(app.deps, townId, plan, alice.user.id);
    await bob.call.channel.join({ channelId: townId });
    const seen = await busRecorder(townId);
    const target = items[1];
    if (!target) throw new Error('no second item');
    const todos = await bob.call.todo.update({ channelId: townId, id: target.id, status: 'in_progress' });
    expect(todos.items).toEqual([items[0], { ...target, status: 'in_progress' }, items[2]]);
    expect(todos.updatedBy).toBe(bob.user.id);
    expect(await alice.call.todo.list({ channelId: townId })).toEqual(todos);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    const [published] = seen;
    const replay = await app.deps.stores.chat.eventsAfter(townId, 0, 100);
    expect(published).toEqual({ kind: 'change', event: replay.at(-1) });
    expect(published).toMatchObject({ event: { change: { type: 'todo.updated', todos } } });
  });

  it('is ticked only by members (the send rule): a reader who has not joined is FORBIDDEN', async () => {
    const { items } = await replaceChannelTodos(app.deps, townId, plan, alice.user.id);
    const id = items[0]?.id ?? '';
    expect(await refusal(() => bob.call.todo.update({ channelId: townId, id, status: 'pending' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'join the channel to post in it',
    });
  });

  it('answers NOT_FOUND for an id its plan does not have, publishing nothing', async () => {
    await replaceChannelTodos(app.deps, townId, plan, alice.user.id);
    const seen = await busRecorder(townId);
    expect(await refusal(() => alice.call.todo.update({ channelId: townId, id: NO_SUCH_ID, status: 'done' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'todo not found',
    });
    expect(seen).toEqual([]);
  });

  it('takes no ticks once archived, like sending; its plan stays readable', async () => {
    const { items } = await replaceChannelTodos(app.deps, townId, plan, alice.user.id);
    await alice.call.channel.archive({ channelId: townId });
    const id = items[0]?.id ?? '';
    expect(await refusal(() => alice.call.todo.update({ channelId: townId, id, status: 'pending' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'this channel is archived and read-only',
    });
    expect((await bob.call.todo.list({ channelId: townId })).items).toEqual(items);
  });
});

describe('replaceChannelTodos (the assistant’s update_todos)', () => {
  it('stores the plan whole (statuses default to pending) and publishes its todo.updated', async () => {
    const townId = (await alice.call.channel.create({ slug: 'town', name: 'Town' })).id;
    const seen = await busRecorder(townId);
    const todos = await replaceChannelTodos(app.deps, townId, plan, bob.user.id);
    expect(todos.items.map(({ content, status }) => [content, status])).toEqual([
      ['read the issue', 'done'],
      ['write the store', 'pending'],
      ['document it', 'pending'],
    ]);
    expect(todos.updatedBy).toBe(bob.user.id);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]).toMatchObject({
      kind: 'change',
      event: { channelId: townId, change: { type: 'todo.updated', todos } },
    });
  });

  it('refuses a plan past TODO_LIMITS with BAD_REQUEST, storing nothing', async () => {
    const townId = (await alice.call.channel.create({ slug: 'town', name: 'Town' })).id;
    const tooMany = Array.from({ length: TODO_LIMITS.items + 1 }, (_, i) => ({ content: `step ${i}` }));
    const tooLong = [{ content: 'x'.repeat(TODO_LIMITS.content + 1) }];
    for (const items of [tooMany, tooLong, [{ content: '   ' }]]) {
      await expect(replaceChannelTodos(app.deps, townId, items, alice.user.id)).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    }
    expect((await alice.call.todo.list({ channelId: townId })).updatedAt).toBeNull();
  });
});
