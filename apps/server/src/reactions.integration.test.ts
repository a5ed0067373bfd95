import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel, type Received, recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

const reactionEvents = (events: Received[]) => events.filter((e) => e.data.type === 'message.reactions');

/** Ada and Bob on a fresh server, a message of Ada's in #general, and Bob's stream of #general from before it. */
async function adaPostsBobWatches(content: string) {
  server = await startTestServer();
  const ada = await server.signup('ada');
  const bob = await server.signup('bob');
  const a = server.client(ada.token);
  const b = server.client(bob.token);
  const channel = await generalChannel(a);
  const message = await a.api.message.send.mutate({ channelId: channel.id, content });
  const page = await b.api.message.history.query({ channelId: channel.id });
  return { ada, bob, a, b, channel, message, page, live: recordChannel(b, channel.id, page.eventId) };
}

describe('reactions over real sockets', () => {
  it("Ada's reaction reaches Bob's stream live, and a resume from before it replays it", async () => {
    const { ada, a, b, channel, message, page, live } = await adaPostsBobWatches('react to me');
    await live.until((e) => e.some((x) => x.data.type === 'presence'));

    const answer = await a.api.message.react.mutate({ messageId: message.id, emoji: '🎉' });
    const expected = [{ emoji: '🎉', count: 1, userIds: [ada.user.id] }];
    expect(answer).toEqual({ messageId: message.id, reactions: expected });
    const [seen] = await live.until((e) => reactionEvents(e).length === 1).then(reactionEvents);
    expect(seen?.data).toEqual({ type: 'message.reactions', messageId: message.id, reactions: expected });
    live.stop();

    // A stream that was away since before the reaction gets it on resume.
    const resumed = recordChannel(b, channel.id, page.eventId);
    const [replayed] = await resumed.until((e) => reactionEvents(e).length === 1).then(reactionEvents);
    expect(replayed).toEqual(seen);
    resumed.stop();

    // History reads carry them.
    const read = await b.api.message.history.query({ channelId: channel.id });
    expect(read.items.find((m) => m.id === message.id)?.reactions).toEqual(expected);
  });

  it('toggling twice is harmless: no second event, and Bob sees the count go up and down', async () => {
    const { ada, a, b, channel, message, live } = await adaPostsBobWatches('twice');

    await a.api.message.react.mutate({ messageId: message.id, emoji: '👍' });
    expect((await a.api.message.react.mutate({ messageId: message.id, emoji: '👍' })).reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [ada.user.id] },
    ]);
    await b.api.message.react.mutate({ messageId: message.id, emoji: '👍' });
    await b.api.message.unreact.mutate({ messageId: message.id, emoji: '👍' });
    expect((await b.api.message.unreact.mutate({ messageId: message.id, emoji: '👍' })).reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [ada.user.id] },
    ]);
    // A message after them: once it is here, every event before it is too.
    await a.api.message.send.mutate({ channelId: channel.id, content: 'after' });
    await live.until((e) => e.some((x) => x.data.type === 'message.created'));
    expect(reactionEvents(live.events).map((e) => (e.data.reactions as { count: number }[])[0]?.count)).toEqual([
      1, 2, 1,
    ]);
  });

  it('refuses a 21st distinct emoji on a message, and text that is not an emoji', async () => {
    server = await startTestServer();
    const ada = await server.signup('ada');
    const a = server.client(ada.token);
    const channel = await generalChannel(a);
    const message = await a.api.message.send.mutate({ channelId: channel.id, content: 'many' });
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂'];
    expect(emoji).toHaveLength(20);
    for (const e of emoji) await a.api.message.react.mutate({ messageId: message.id, emoji: e });
    const refused = await a.api.message.react.mutate({ messageId: message.id, emoji: '🐢' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect(refused).toMatchObject({
      message: 'this message has the most reactions it can take',
      data: { code: 'BAD_REQUEST' },
    });
    const text = await a.api.message.react.mutate({ messageId: message.id, emoji: 'lol' }).catch((e: unknown) => e);
    expect(text).toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });
});
