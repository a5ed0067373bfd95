import { replaceChannelTodos } from '@hubbub/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

async function twoPeople() {
  server = await startTestServer();
  const alice = await server.signup('alice');
  const bob = await server.signup('bob');
  return { alice, bob, a: server.client(alice.token), b: server.client(bob.token) };
}

const todoEvents = (events: { id: string; data: { type: string } }[]) =>
  events.filter((event) => event.data.type === 'todo.updated');

describe('a channel’s plan over real sockets', () => {
  it('a tick reaches another member’s channel.onEvent live, and a resumed subscription replays it', async () => {
    const { alice, bob, a, b } = await twoPeople();
    const channel = await a.api.channel.create.mutate({ slug: 'plans', name: 'Plans' });
    await b.api.channel.join.mutate({ channelId: channel.id });
    // The assistant's update_todos, as the server's own code calls it.
    const plan = await replaceChannelTodos(
      server.hubbub.deps,
      channel.id,
      [{ content: 'draft' }, { content: 'review' }],
      alice.user.id,
    );
    expect(await b.api.todo.list.query({ channelId: channel.id })).toEqual(plan);
    const { eventId: beforeTick } = await a.api.message.history.query({ channelId: channel.id });

    const live = recordChannel(a, channel.id);
    await live.until((events) => events.some((event) => event.data.type === 'presence'));
    const target = plan.items[0];
    if (!target) throw new Error('no first item');
    const ticked = await b.api.todo.update.mutate({ channelId: channel.id, id: target.id, status: 'done' });
    expect(ticked.items.map((item) => item.status)).toEqual(['done', 'pending']);
    expect(ticked.updatedBy).toBe(bob.user.id);

    const [pushed] = todoEvents(await live.until((events) => todoEvents(events).length > 0));
    expect(pushed?.data).toEqual({ type: 'todo.updated', todos: ticked });
    live.stop();

    // From the position read before the tick: the stored event again, same id, same plan.
    const resumed = recordChannel(a, channel.id, beforeTick);
    const [replayed] = todoEvents(await resumed.until((events) => todoEvents(events).length > 0));
    expect(replayed).toEqual(pushed);
    expect(resumed.changes()).toEqual([pushed]);
    resumed.stop();
  });

  it('keeps a private channel’s plan from outsiders: list and update answer like a random id', async () => {
    const { alice, a, b } = await twoPeople();
    const secret = await a.api.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const plan = await replaceChannelTodos(server.hubbub.deps, secret.id, [{ content: 'hush' }], alice.user.id);
    const hidden = { message: 'channel not found', data: { code: 'NOT_FOUND' } };
    await expect(b.api.todo.list.query({ channelId: secret.id })).rejects.toMatchObject(hidden);
    const id = plan.items[0]?.id ?? '';
    await expect(b.api.todo.update.mutate({ channelId: secret.id, id, status: 'done' })).rejects.toMatchObject(hidden);
    expect(await a.api.todo.list.query({ channelId: secret.id })).toEqual(plan);
  });
});
