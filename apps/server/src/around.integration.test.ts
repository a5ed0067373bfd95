import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

describe('message.around and history after, over real sockets', () => {
  it('opens a window around an old message and pages down to the newest', async () => {
    server = await startTestServer();
    const ada = await server.signup('ada');
    const bob = await server.signup('bob');
    const a = server.client(ada.token);
    const b = server.client(bob.token);
    const channel = await generalChannel(a);
    const sent = [];
    for (let i = 1; i <= 12; i++)
      sent.push(await a.api.message.send.mutate({ channelId: channel.id, content: `n${i}` }));
    const target = sent[2];
    if (!target) throw new Error('no message');

    const window = await b.api.message.around.query({ messageId: target.id, limit: 5 });
    expect(window.items.map((m) => m.content)).toEqual(['n5', 'n4', 'n3', 'n2', 'n1']);
    expect(window).toMatchObject({ channelId: channel.id, messageId: target.id, nextCursor: null });
    expect(window.newerCursor).toBe(sent[4]?.seq);

    const newer = await b.api.message.history.query({
      channelId: channel.id,
      after: window.newerCursor ?? 0,
      limit: 5,
    });
    expect(newer.items.map((m) => m.content)).toEqual(['n10', 'n9', 'n8', 'n7', 'n6']);
    const newest = await b.api.message.history.query({ channelId: channel.id, after: newer.newerCursor ?? 0 });
    expect(newest.items.map((m) => m.content)).toEqual(['n12', 'n11']);
    expect(newest.newerCursor).toBeNull();
  });

  it('refuses a message in a private channel the caller is not in exactly like one that does not exist', async () => {
    server = await startTestServer();
    const ada = await server.signup('ada');
    const bob = await server.signup('bob');
    const a = server.client(ada.token);
    const b = server.client(bob.token);
    const secret = await a.api.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const hidden = await a.api.message.send.mutate({ channelId: secret.id, content: 'the plan' });
    expect((await a.api.message.around.query({ messageId: hidden.id })).items.map((m) => m.content)).toEqual([
      'the plan',
    ]);

    const refused = await b.api.message.around.query({ messageId: hidden.id }).catch((e: unknown) => e);
    const unknown = await b.api.message.around.query({ messageId: 'no-such-message' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ message: 'message not found', data: { code: 'NOT_FOUND' } });
    expect(unknown).toMatchObject({ message: 'message not found', data: { code: 'NOT_FOUND' } });
    // Paging newer is a history read: the same channel rule.
    await expect(b.api.message.history.query({ channelId: secret.id, after: 0 })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });

  it('bounds the input: limit 1–100, one paging direction at a time', async () => {
    server = await startTestServer();
    const ada = await server.signup('ada');
    const a = server.client(ada.token);
    const channel = await generalChannel(a);
    const message = await a.api.message.send.mutate({ channelId: channel.id, content: 'x' });
    await expect(a.api.message.around.query({ messageId: message.id, limit: 101 })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(a.api.message.around.query({ messageId: message.id, limit: 0 })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    await expect(a.api.message.history.query({ channelId: channel.id, before: 5, after: 1 })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
  });
});
