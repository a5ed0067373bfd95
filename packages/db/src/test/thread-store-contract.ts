import { THREAD_LIMITS } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectAppError,
  type MakeStores,
  makeUser,
  type StoresUnderTest,
  twoPeopleAndAChannel,
} from './stores-harness';

/** The thread part of the ChatStore contract: replies, their root's summary and its events, thread pages, deletes. */
export function threadStoreContract(name: string, makeStores: MakeStores): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    const setUp = async () => {
      const { ada, bob, channel } = await twoPeopleAndAChannel(stores, 't');
      await stores.chat.join(channel.id, bob.id);
      const { message: root } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'q',
      });
      const reply = (
        authorId: string | null,
        content: string,
        extra: { clientId?: string; alsoInChannel?: boolean } = {},
      ) => stores.chat.sendMessage({ channelId: channel.id, authorId, content, threadId: root.id, ...extra });
      return { ada, bob, channel, root, reply };
    };

    it('a reply carries its root id; the root counts it with a thread.updated event after its message.created', async () => {
      const { ada, bob, channel, root, reply } = await setUp();
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const sent = await reply(bob.id, 'a');
      expect(sent.message.threadId).toBe(root.id);
      expect(sent.message.alsoInChannel).toBeUndefined();
      expect(sent.message.thread).toBeUndefined();
      expect(sent.event).toMatchObject({ offset: head + 1, change: { type: 'message.created' } });
      const thread = { replyCount: 1, lastReplyAt: sent.message.createdAt, repliers: [bob.id] };
      expect(sent.threadEvent).toEqual({
        channelId: channel.id,
        offset: head + 2,
        change: { type: 'thread.updated', messageId: root.id, thread },
      });
      expect((await stores.chat.messageById(root.id))?.thread).toEqual(thread);
      // The root's author is told of the reply (a mention-like row); the replier is not.
      expect(sent.message.meta?.threadFollowers).toEqual([ada.id]);
    });

    it('lists the latest repliers newest first, each once, at most three; the assistant counts but is not listed', async () => {
      const { ada, bob, root, reply } = await setUp();
      const carol = await makeUser(stores.users);
      const dan = await makeUser(stores.users);
      await reply(bob.id, '1');
      await reply(carol.id, '2');
      await reply(bob.id, '3');
      await reply(dan.id, '4');
      const last = await reply(null, 'assistant says');
      const thread = (await stores.chat.messageById(root.id))?.thread;
      expect(thread).toEqual({
        replyCount: 5,
        lastReplyAt: last.message.createdAt,
        repliers: [dan.id, bob.id, carol.id],
      });
      expect(thread?.repliers.length).toBeLessThanOrEqual(THREAD_LIMITS.repliers);
      // Followers: the root's author, then earlier repliers in the order they first replied (not the replier).
      const next = await reply(carol.id, '6');
      expect(next.message.meta?.threadFollowers).toEqual([ada.id, bob.id, dan.id]);
    });

    it('a retried reply (same clientId) stores nothing and counts once', async () => {
      const { bob, channel, root, reply } = await setUp();
      const first = await reply(bob.id, 'once', { clientId: 'c-1' });
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const again = await reply(bob.id, 'once', { clientId: 'c-1' });
      expect(again.message.id).toBe(first.message.id);
      expect(again.event).toBeNull();
      expect(again.threadEvent ?? null).toBeNull();
      expect((await stores.chat.streamInfo(channel.id)).head).toBe(head);
      expect((await stores.chat.messageById(root.id))?.thread?.replyCount).toBe(1);
    });

    it('refuses a root that is unknown, in another channel (as unknown) or itself a reply, storing nothing', async () => {
      const { ada, bob, channel, root, reply } = await setUp();
      const { message: replyMessage } = await reply(bob.id, 'r');
      const { channel: other } = await stores.chat.createChannel({
        slug: `o${ada.handle}`,
        name: 'O',
        visibility: 'public',
        createdBy: ada.id,
      });
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const send = (channelId: string, threadId: string) =>
        stores.chat.sendMessage({ channelId, authorId: ada.id, content: 'x', threadId });
      await expectAppError(send(channel.id, 'no-such-message'), 'NOT_FOUND');
      await expectAppError(send(other.id, root.id), 'NOT_FOUND');
      await expectAppError(send(channel.id, replyMessage.id), 'BAD_REQUEST');
      expect((await stores.chat.streamInfo(channel.id)).head).toBe(head);
      expect((await stores.chat.messageById(root.id))?.thread?.replyCount).toBe(1);
    });

    it('history leaves replies out unless also in the channel; thread pages them newest first', async () => {
      const { bob, channel, root, reply } = await setUp();
      const replies = [];
      for (let i = 1; i <= 5; i++) replies.push((await reply(bob.id, `r${i}`, { alsoInChannel: i === 3 })).message);
      const history = await stores.chat.history(channel.id, { limit: 10 });
      expect(history.items.map((m) => m.content)).toEqual(['r3', 'q']);
      expect(history.items[0]?.alsoInChannel).toBe(true);
      expect(history.items[1]?.thread?.replyCount).toBe(5);

      const first = await stores.chat.thread(root.id, { limit: 2 });
      expect(first.root.id).toBe(root.id);
      expect(first.items.map((m) => m.content)).toEqual(['r5', 'r4']);
      expect(first.nextCursor).toBe(replies[3]?.seq);
      expect(first.eventId).toBe(history.eventId);
      const second = await stores.chat.thread(root.id, { before: first.nextCursor ?? 0, limit: 2 });
      expect(second.items.map((m) => m.content)).toEqual(['r3', 'r2']);
      const last = await stores.chat.thread(root.id, { before: second.nextCursor ?? 0, limit: 2 });
      expect(last.items.map((m) => m.content)).toEqual(['r1']);
      expect(last.nextCursor).toBeNull();

      await expectAppError(stores.chat.thread('no-such-message', { limit: 2 }), 'NOT_FOUND');
      await expectAppError(stores.chat.thread(replies[0]?.id ?? '', { limit: 2 }), 'BAD_REQUEST');
    });

    it('deleting a reply recounts its root from the replies left, with a thread.updated after the message.deleted', async () => {
      const { bob, channel, root, reply } = await setUp();
      const carol = await makeUser(stores.users);
      const one = await reply(bob.id, '1');
      const two = await reply(carol.id, '2');
      const gone = await stores.chat.deleteMessage(two.message.id);
      expect(gone.events.map((e) => e.change.type)).toEqual(['message.deleted', 'thread.updated']);
      expect(gone.event).toEqual(gone.events[0]);
      const thread = { replyCount: 1, lastReplyAt: one.message.createdAt, repliers: [bob.id] };
      expect(gone.events[1]).toMatchObject({ channelId: channel.id, change: { messageId: root.id, thread } });
      const none = await stores.chat.deleteMessage(one.message.id);
      expect(none.events[1]?.change).toEqual({ type: 'thread.updated', messageId: root.id, thread: null });
      expect((await stores.chat.messageById(root.id))?.thread).toBeUndefined();
    });

    it('deleting a root that has replies keeps it as their anchor, its words gone; its last reply takes it along', async () => {
      const { bob, channel, root, reply } = await setUp();
      const one = await reply(bob.id, '1', { alsoInChannel: true });
      const two = await reply(bob.id, '2');
      await stores.chat.react({ messageId: root.id, userId: bob.id, emoji: '👍', on: true });

      const { event, events } = await stores.chat.deleteMessage(root.id);
      expect(events).toEqual([event]);
      expect(event.change).toMatchObject({
        type: 'message.updated',
        message: { id: root.id, content: '', meta: { deleted: true }, thread: { replyCount: 2 } },
      });
      const kept = await stores.chat.messageById(root.id);
      expect(kept).toMatchObject({ content: '', meta: { deleted: true } });
      expect(kept?.reactions).toBeUndefined();
      // The replies are untouched, in the thread and (the one also sent there) in the channel.
      expect((await stores.chat.thread(root.id, { limit: 10 })).items.map((m) => m.content)).toEqual(['2', '1']);
      expect((await stores.chat.history(channel.id, { limit: 10 })).items.map((m) => m.id)).toEqual([
        one.message.id,
        root.id,
      ]);
      await expectAppError(stores.chat.deleteMessage(root.id), 'NOT_FOUND');

      const first = await stores.chat.deleteMessage(one.message.id);
      expect(first.events.map((e) => e.change.type)).toEqual(['message.deleted', 'thread.updated']);
      const last = await stores.chat.deleteMessage(two.message.id);
      expect(last.events.map((e) => e.change)).toEqual([
        { type: 'message.deleted', messageId: two.message.id },
        { type: 'message.deleted', messageId: root.id },
      ]);
      expect(await stores.chat.messageById(root.id)).toBeNull();
      expect((await stores.chat.history(channel.id, { limit: 10 })).items).toEqual([]);
    });

    it('deleting a root without replies deletes it', async () => {
      const { channel, root } = await setUp();
      const { event, events } = await stores.chat.deleteMessage(root.id);
      expect(events.map((e) => e.change)).toEqual([{ type: 'message.deleted', messageId: root.id }]);
      expect(event).toEqual(events[0]);
      expect((await stores.chat.history(channel.id, { limit: 10 })).items).toEqual([]);
    });

    it('a replay (resume) carries the thread.updated events with the root’s summary as it is now', async () => {
      const { bob, channel, root, reply } = await setUp();
      const head = (await stores.chat.streamInfo(channel.id)).head;
      await reply(bob.id, '1');
      const two = await reply(bob.id, '2');
      const replayed = await stores.chat.eventsAfter(channel.id, head, 10);
      const thread = { replyCount: 2, lastReplyAt: two.message.createdAt, repliers: [bob.id] };
      expect(replayed.map((e) => e.change.type)).toEqual([
        'message.created',
        'thread.updated',
        'message.created',
        'thread.updated',
      ]);
      expect(replayed[3]?.change).toEqual({ type: 'thread.updated', messageId: root.id, thread });
      expect(replayed[1]?.change).toEqual({ type: 'thread.updated', messageId: root.id, thread });
    });

    it('concurrent replies all count', async () => {
      const { bob, root, reply } = await setUp();
      await Promise.all(Array.from({ length: 8 }, (_, i) => reply(bob.id, `c${i}`)));
      expect((await stores.chat.messageById(root.id))?.thread?.replyCount).toBe(8);
      expect((await stores.chat.thread(root.id, { limit: 20 })).items).toHaveLength(8);
    });
  });
}
