import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel, type Received, recordChannel, recordUser } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

type Client = ReturnType<TestServer['client']>;

const ofType = (events: Received[], type: string) => events.filter((e) => e.data.type === type);
interface Msg {
  id: string;
  threadId?: string;
  role: string;
  status: string;
  content: string;
}
const messageOf = (e: Received) => e.data.message as Msg;

/** Ada and Bob on a fresh server, a root message of Ada's in #general, and Ada's stream of #general from before it. */
async function adaPostsARoot(content = 'shall we ship on Friday?') {
  server = await startTestServer();
  const ada = await server.signup('ada');
  const bob = await server.signup('bob');
  const a = server.client(ada.token);
  const b = server.client(bob.token);
  const channel = await generalChannel(a);
  const root = await a.api.message.send.mutate({ channelId: channel.id, content });
  const page = await a.api.message.history.query({ channelId: channel.id });
  const live = recordChannel(a, channel.id, page.eventId);
  await live.until((e) => e.some((x) => x.data.type === 'presence'));
  return { ada, bob, a, b, channel, root, page, live };
}

/** The person's user stream from its start, once live: a change of theirs made after subscribing has come through. */
async function liveUserStream(client: Client, channelId: string) {
  const { eventId } = await client.api.message.history.query({ channelId, limit: 1 });
  const stream = recordUser(client, `${eventId.slice(0, eventId.lastIndexOf(':'))}:0`);
  const sync = await client.api.channel.create.mutate({
    slug: `sync-${Date.now()}`,
    name: 'Sync',
    visibility: 'private',
  });
  await stream.until((e) =>
    e.some((x) => x.data.type === 'channel.joined' && (x.data.channel as { id: string }).id === sync.id),
  );
  return stream;
}

describe('threads over real sockets', () => {
  it("Bob's reply reaches Ada's stream with the root's count, live and on resume; history leaves it out", async () => {
    const { bob, b, a, channel, root, page, live } = await adaPostsARoot();

    const reply = await b.api.message.send.mutate({
      channelId: channel.id,
      content: 'Friday works',
      threadId: root.id,
    });
    expect(reply.threadId).toBe(root.id);
    const thread = { replyCount: 1, lastReplyAt: reply.createdAt, repliers: [bob.user.id] };
    const events = await live.until((e) => ofType(e, 'thread.updated').length === 1);
    expect(ofType(events, 'message.created').map((e) => messageOf(e).id)).toEqual([reply.id]);
    expect(ofType(events, 'thread.updated')[0]?.data).toEqual({ type: 'thread.updated', messageId: root.id, thread });
    live.stop();

    // A stream away since before the reply gets both on resume, in the same order.
    const resumed = recordChannel(a, channel.id, page.eventId);
    await resumed.until((e) => ofType(e, 'thread.updated').length === 1);
    expect(resumed.changes().map((e) => e.data)).toEqual(live.changes().map((e) => e.data));
    resumed.stop();

    // The channel's history shows the root with its count, not the reply; the thread pages it.
    const history = await a.api.message.history.query({ channelId: channel.id });
    expect(history.items.map((m) => m.id)).not.toContain(reply.id);
    expect(history.items.find((m) => m.id === root.id)?.thread).toEqual(thread);
    const read = await a.api.message.thread.query({ messageId: root.id });
    expect(read.root.id).toBe(root.id);
    expect(read.items.map((m) => m.id)).toEqual([reply.id]);
    expect(read.nextCursor).toBeNull();

    // "Also send to channel": the reply shows in the channel's history too, marked as such.
    const also = await a.api.message.send.mutate({
      channelId: channel.id,
      content: 'agreed, Friday',
      threadId: root.id,
      alsoInChannel: true,
    });
    const after = await b.api.message.history.query({ channelId: channel.id });
    expect(after.items[0]).toMatchObject({ id: also.id, threadId: root.id, alsoInChannel: true });
    expect(after.items.find((m) => m.id === root.id)?.thread?.replyCount).toBe(2);
  });

  it('a reply in your thread reaches your user stream as thread.reply, counted like a mention; never the replier', async () => {
    const { ada, bob, a, b, channel, root } = await adaPostsARoot();
    const adaStream = await liveUserStream(a, channel.id);
    const bobStream = await liveUserStream(b, channel.id);

    const reply = await b.api.message.send.mutate({ channelId: channel.id, content: 'me too', threadId: root.id });
    const seen = await adaStream.until((e) =>
      e.some((x) => x.data.type === 'thread.reply' && messageOf(x).id === reply.id),
    );
    expect(ofType(seen, 'thread.reply')[0]?.data).toMatchObject({
      channelId: channel.id,
      message: { threadId: root.id },
    });
    // A reply only in its thread is no unread message of the channel, but counts like a mention.
    await adaStream.until((e) =>
      e.some((x) => x.data.type === 'channel.unread' && x.data.channelId === channel.id && x.data.mentions === 1),
    );
    const listed = (await a.api.channel.list.query()).items.find((c) => c.id === channel.id);
    expect(listed).toMatchObject({ unread: 0, mentions: 1 });

    // Ada answers: now Bob is a follower and hears of it; Ada, the replier, does not.
    const answer = await a.api.message.send.mutate({ channelId: channel.id, content: 'great', threadId: root.id });
    await bobStream.until((e) => e.some((x) => x.data.type === 'thread.reply' && messageOf(x).id === answer.id));
    expect(answer.meta?.threadFollowers).toEqual([bob.user.id]);
    expect(ofType(adaStream.events, 'thread.reply').map((e) => messageOf(e).id)).toEqual([reply.id]);
    expect(ofType(bobStream.events, 'thread.reply').map((e) => messageOf(e).id)).toEqual([answer.id]);
    expect(reply.meta?.threadFollowers).toEqual([ada.user.id]);
    adaStream.stop();
    bobStream.stop();
  });

  it('@assistant in a thread answers in that thread, from the thread (not the channel)', async () => {
    const { a, b, channel, root, live } = await adaPostsARoot('the release checklist is ready');
    await b.api.message.send.mutate({ channelId: channel.id, content: 'unrelated channel chatter' });
    await b.api.message.send.mutate({ channelId: channel.id, content: 'tests are green', threadId: root.id });
    const question = await a.api.message.send.mutate({
      channelId: channel.id,
      content: '@assistant summarize',
      threadId: root.id,
    });
    const done = await live.until((e) =>
      e.some(
        (x) =>
          x.data.type === 'message.updated' && messageOf(x).role === 'assistant' && messageOf(x).status === 'complete',
      ),
    );
    const answer = messageOf(done.filter((x) => x.data.type === 'message.updated').at(-1) as Received);
    expect(answer.threadId).toBe(root.id);
    expect(answer.content).toContain('the release checklist is ready');
    expect(answer.content).toContain('tests are green');
    expect(answer.content).not.toContain('unrelated channel chatter');
    const read = await a.api.message.thread.query({ messageId: root.id });
    expect(read.items.map((m) => m.id).slice(0, 2)).toEqual([answer.id, question.id]);
    expect((await a.api.message.history.query({ channelId: channel.id })).items.map((m) => m.id)).not.toContain(
      answer.id,
    );
  });

  it('refuses threads one may not read, a root elsewhere or a reply as a root, and bad input', async () => {
    server = await startTestServer();
    const ada = await server.signup('ada');
    const eve = await server.signup('eve');
    const a = server.client(ada.token);
    const e = server.client(eve.token);
    const channel = await generalChannel(a);
    const secret = await a.api.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const hidden = await a.api.message.send.mutate({ channelId: secret.id, content: 'hidden' });
    const root = await a.api.message.send.mutate({ channelId: channel.id, content: 'open' });
    const reply = await a.api.message.send.mutate({ channelId: channel.id, content: 'r', threadId: root.id });
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (error: unknown) => error,
      );

    // A private channel's thread reads like an unknown id, and so does its root from elsewhere.
    expect(await refusal(e.api.message.thread.query({ messageId: hidden.id }))).toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect(await refusal(e.api.message.thread.query({ messageId: 'no-such-message' }))).toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    expect(
      await refusal(e.api.message.send.mutate({ channelId: channel.id, content: 'x', threadId: hidden.id })),
    ).toMatchObject({ data: { code: 'NOT_FOUND' } });
    expect(
      await refusal(e.api.message.send.mutate({ channelId: secret.id, content: 'x', threadId: hidden.id })),
    ).toMatchObject({ data: { code: 'NOT_FOUND' } });
    // A reply has no thread of its own.
    expect(
      await refusal(e.api.message.send.mutate({ channelId: channel.id, content: 'x', threadId: reply.id })),
    ).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect(await refusal(e.api.message.thread.query({ messageId: reply.id }))).toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    // Bounded input.
    expect(await refusal(e.api.message.thread.query({ messageId: root.id, limit: 101 }))).toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
    expect(
      await refusal(e.api.message.send.mutate({ channelId: channel.id, content: 'x', threadId: 'x'.repeat(65) })),
    ).toMatchObject({ data: { code: 'BAD_REQUEST' } });
    // Nothing refused was stored.
    expect((await a.api.message.thread.query({ messageId: root.id })).items.map((m) => m.id)).toEqual([reply.id]);
  });
});
