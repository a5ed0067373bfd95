import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

async function twoUsers() {
  server = await startTestServer();
  const alice = await server.signup('alice');
  const bob = await server.signup('bob');
  return { alice, bob, a: server.client(alice.token), b: server.client(bob.token) };
}

describe('channels and messages', () => {
  it('keeps a private channel hidden from non-members: list, history, subscribe, send, join', async () => {
    const { a, b } = await twoUsers();
    const secret = await a.api.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    expect((await b.api.channel.list.query()).items.map((c) => c.slug)).not.toContain('secret');

    // To an outsider a private channel does not exist: the answer a random id gets (see the enumeration tests).
    const hidden = { message: 'channel not found', data: { code: 'NOT_FOUND' } };
    await expect(b.api.message.history.query({ channelId: secret.id })).rejects.toMatchObject(hidden);
    await expect(b.api.message.send.mutate({ channelId: secret.id, content: 'let me in' })).rejects.toMatchObject(
      hidden,
    );
    await expect(b.api.channel.join.mutate({ channelId: secret.id })).rejects.toMatchObject(hidden);
    await expect(b.api.channel.members.query({ channelId: secret.id })).rejects.toMatchObject(hidden);
    const stream = recordChannel(b, secret.id);
    await stream.until(() => stream.errors.length > 0);
    expect(stream.errors[0]).toMatchObject(hidden);
    expect(stream.events).toEqual([]);

    // Members can of course use it.
    await a.api.message.send.mutate({ channelId: secret.id, content: 'only us' });
    const page = await a.api.message.history.query({ channelId: secret.id });
    expect(page.items.map((m) => m.content)).toEqual(['only us']);
  });

  it('makes a retried send with the same clientId idempotent over HTTP and WebSocket', async () => {
    const { a, alice } = await twoUsers();
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    const overWs = server.client(alice.token, { allOverWebSocket: true });
    const input = { channelId: general.id, content: 'exactly once', clientId: 'c-123' };
    const first = await a.api.message.send.mutate({
      ...input,
      meta: { lane: 'ops', provider: 'script', tokenCount: 3 },
    });
    expect(first.meta).toEqual({ lane: 'ops', provider: 'script', tokenCount: 3 });
    const retryHttp = await a.api.message.send.mutate(input);
    const retryWs = await overWs.api.message.send.mutate(input);
    expect(retryHttp.id).toBe(first.id);
    expect(retryWs.id).toBe(first.id);
    const page = await a.api.message.history.query({ channelId: general.id });
    expect(page.items.filter((m) => m.content === 'exactly once')).toHaveLength(1);
  });

  it('broadcasts edits and deletes, and only the author (or an admin) may make them', async () => {
    const { a, b } = await twoUsers();
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    const watch = recordChannel(a, general.id);
    await watch.until((e) => e.some((x) => x.data.type === 'presence'));
    const byBob = await b.api.message.send.mutate({ channelId: general.id, content: 'tpyo' });
    const edited = await b.api.message.edit.mutate({ messageId: byBob.id, content: 'typo' });
    expect(edited.editedAt).not.toBeNull();
    const byAlice = await a.api.message.send.mutate({ channelId: general.id, content: 'mine' });
    await expect(b.api.message.delete.mutate({ messageId: byAlice.id })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    // alice is the first account, hence admin: she may delete bob's message.
    await a.api.message.delete.mutate({ messageId: byBob.id });
    await watch.until((e) => e.some((x) => x.data.type === 'message.deleted'));
    const types = watch.changes().map((e) => e.data.type);
    expect(types).toEqual(['message.created', 'message.updated', 'message.created', 'message.deleted']);
    const page = await a.api.message.history.query({ channelId: general.id });
    expect(page.items.map((m) => m.content)).toEqual(['mine']);
  });

  it('pages history newest first with a cursor', async () => {
    const { a } = await twoUsers();
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    for (let i = 1; i <= 7; i++) await a.api.message.send.mutate({ channelId: general.id, content: `n${i}` });
    const p1 = await a.api.message.history.query({ channelId: general.id, limit: 3 });
    expect(p1.items.map((m) => m.content)).toEqual(['n7', 'n6', 'n5']);
    const p2 = await a.api.message.history.query({ channelId: general.id, limit: 3, before: p1.nextCursor ?? 0 });
    expect(p2.items.map((m) => m.content)).toEqual(['n4', 'n3', 'n2']);
    const p3 = await a.api.message.history.query({ channelId: general.id, limit: 3, before: p2.nextCursor ?? 0 });
    expect(p3.items.map((m) => m.content)).toEqual(['n1']);
    expect(p3.nextCursor).toBeNull();
  });

  it('shows typing (throttled) and presence across tabs, and members online', async () => {
    const { a, b, bob, alice } = await twoUsers();
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    const watch = recordChannel(a, general.id);
    await watch.until((e) => e.some((x) => x.data.type === 'presence'));
    const tab1 = recordChannel(b, general.id);
    const b2 = server.client(bob.token);
    const tab2 = recordChannel(b2, general.id);
    await watch.until((e) => e.some((x) => x.data.type === 'presence' && (x.data.online as string[]).length === 2));
    await tab2.until((e) => e.some((x) => x.data.type === 'presence'));

    expect(await b.api.channel.typing.mutate({ channelId: general.id })).toEqual({ sent: true });
    expect(await b.api.channel.typing.mutate({ channelId: general.id })).toEqual({ sent: false });
    const typing = await watch.until((e) => e.some((x) => x.data.type === 'typing'));
    expect(typing.find((x) => x.data.type === 'typing')?.data).toMatchObject({ userId: bob.user.id });

    const members = await a.api.channel.members.query({ channelId: general.id });
    expect(members.filter((m) => m.online).map((m) => m.handle)).toEqual(['alice', 'bob']);

    // Closing one of bob's two tabs keeps him online; closing both takes him off.
    const following = server.hubbub.deps.hub.stats.subscriptions;
    tab1.stop();
    await vi.waitFor(() => expect(server.hubbub.deps.hub.stats.subscriptions).toBe(following - 1));
    expect((await a.api.channel.members.query({ channelId: general.id })).find((m) => m.handle === 'bob')?.online).toBe(
      true,
    );
    tab2.stop();
    await watch.until((e) => {
      const last = e.filter((x) => x.data.type === 'presence').at(-1);
      return JSON.stringify(last?.data.online) === JSON.stringify([alice.user.id]);
    });
  });

  it('joins, leaves and archives; an archived channel is read-only', async () => {
    const { a, b } = await twoUsers();
    const room = await a.api.channel.create.mutate({ slug: 'room', name: 'Room', topic: 'chat' });
    await expect(b.api.message.send.mutate({ channelId: room.id, content: 'hi' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect((await b.api.channel.join.mutate({ channelId: room.id })).memberCount).toBe(2);
    await b.api.message.send.mutate({ channelId: room.id, content: 'hi' });
    await expect(b.api.channel.archive.mutate({ channelId: room.id })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    const archived = await a.api.channel.archive.mutate({ channelId: room.id });
    expect(archived.archivedAt).not.toBeNull();
    await expect(b.api.message.send.mutate({ channelId: room.id, content: 'too late' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    await b.api.channel.leave.mutate({ channelId: room.id });
    expect((await a.api.channel.members.query({ channelId: room.id })).map((m) => m.handle)).toEqual(['alice']);
    await expect(a.api.channel.create.mutate({ slug: 'room', name: 'Again' })).rejects.toMatchObject({
      data: { code: 'CONFLICT' },
    });
  });

  it("renames a channel and sets its topic: owner or admin only, live on its stream and in everyone's list", async () => {
    const { alice, a, b } = await twoUsers();
    const room = await b.api.channel.create.mutate({ slug: 'room', name: 'Room', topic: 'chat' });
    await a.api.channel.join.mutate({ channelId: room.id });
    const stream = recordChannel(a, room.id);
    await stream.until((e) => e.some((x) => x.data.type === 'presence'));

    // Bob owns it; Alice (the first account) is an admin; a third person is neither.
    expect(alice.user.role).toBe('admin');
    const carol = await server.signup('carol');
    const c = server.client(carol.token);
    await c.api.channel.join.mutate({ channelId: room.id });
    await expect(c.api.channel.update.mutate({ channelId: room.id, name: 'Mine' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    await expect(b.api.channel.update.mutate({ channelId: room.id })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(b.api.channel.update.mutate({ channelId: room.id, name: '   ' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(b.api.channel.update.mutate({ channelId: 'nope', name: 'X' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });

    const renamed = await b.api.channel.update.mutate({ channelId: room.id, name: '  Design room ' });
    expect(renamed).toMatchObject({ id: room.id, slug: 'room', name: 'Design room', topic: 'chat' });
    const cleared = await a.api.channel.update.mutate({ channelId: room.id, topic: '' });
    expect(cleared).toMatchObject({ name: 'Design room', topic: null });
    const updates = await stream.until((e) => e.filter((x) => x.data.type === 'channel.updated').length === 2);
    expect(updates.filter((e) => e.data.type === 'channel.updated').map((e) => e.data.channel)).toMatchObject([
      { name: 'Design room', topic: 'chat' },
      { name: 'Design room', topic: null },
    ]);
    const listed = (await c.api.channel.list.query()).items.find((ch) => ch.id === room.id);
    expect(listed).toMatchObject({ name: 'Design room', topic: null });

    await b.api.channel.archive.mutate({ channelId: room.id });
    await expect(b.api.channel.update.mutate({ channelId: room.id, name: 'Late' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
  });
});
