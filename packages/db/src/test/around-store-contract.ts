import type { Message } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, type MakeStores, makeUser, type StoresUnderTest } from './stores-harness';

/** Paging both ways through a channel: windows around a message (around) and newer pages (history `after`). */
export function aroundStoreContract(name: string, makeStores: MakeStores): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    /** A channel with `count` messages "m1".."mN", oldest first. */
    const channelWith = async (count: number) => {
      const ada = await makeUser(stores.users);
      const { channel } = await stores.chat.createChannel({
        slug: `w${ada.handle}`,
        name: 'W',
        visibility: 'public',
        createdBy: ada.id,
      });
      const sent: Message[] = [];
      for (let i = 1; i <= count; i++) {
        sent.push(
          (await stores.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: `m${i}` })).message,
        );
      }
      return { ada, channel, sent };
    };
    const contents = (items: Message[]) => items.map((m) => m.content);

    it('a window holds the message with older ones below and newer ones above, newest first, and both cursors', async () => {
      const { channel, sent } = await channelWith(20);
      const target = sent[9] as Message;
      const page = await stores.chat.around(target.id, { limit: 5 });
      expect(contents(page.items)).toEqual(['m12', 'm11', 'm10', 'm9', 'm8']);
      expect(page.channelId).toBe(channel.id);
      expect(page.messageId).toBe(target.id);
      expect(page.nextCursor).toBe(sent[7]?.seq);
      expect(page.newerCursor).toBe(sent[11]?.seq);
      expect(page.eventId).toBe(await stores.chat.history(channel.id, { limit: 1 }).then((p) => p.eventId));
    });

    it('says when a side reaches the start or the newest message', async () => {
      const { sent } = await channelWith(4);
      const first = await stores.chat.around((sent[0] as Message).id, { limit: 5 });
      expect(contents(first.items)).toEqual(['m3', 'm2', 'm1']);
      expect(first.nextCursor).toBeNull();
      expect(first.newerCursor).toBe(sent[2]?.seq);
      const last = await stores.chat.around((sent[3] as Message).id, { limit: 5 });
      expect(contents(last.items)).toEqual(['m4', 'm3', 'm2']);
      expect(last.nextCursor).toBe(sent[1]?.seq);
      expect(last.newerCursor).toBeNull();
    });

    it('carries reactions like history', async () => {
      const { ada, sent } = await channelWith(3);
      const target = sent[1] as Message;
      await stores.chat.react({ messageId: target.id, userId: ada.id, emoji: '👍', on: true });
      const page = await stores.chat.around(target.id, { limit: 3 });
      const shown = page.items.find((m) => m.id === target.id);
      expect(shown?.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [ada.id] }]);
    });

    it('is NOT_FOUND for a message that does not exist (or was deleted)', async () => {
      const { sent } = await channelWith(2);
      await expectAppError(stores.chat.around('no-such-message', { limit: 10 }), 'NOT_FOUND');
      await stores.chat.deleteMessage((sent[0] as Message).id);
      await expectAppError(stores.chat.around((sent[0] as Message).id, { limit: 10 }), 'NOT_FOUND');
    });

    it('history `after` pages newer, newest first, until it reaches the newest message', async () => {
      const { channel, sent } = await channelWith(7);
      const one = await stores.chat.history(channel.id, { after: sent[1]?.seq, limit: 3 });
      expect(contents(one.items)).toEqual(['m5', 'm4', 'm3']);
      expect(one.nextCursor).toBe(sent[2]?.seq);
      expect(one.newerCursor).toBe(sent[4]?.seq);
      const two = await stores.chat.history(channel.id, { after: one.newerCursor ?? 0, limit: 3 });
      expect(contents(two.items)).toEqual(['m7', 'm6']);
      expect(two.newerCursor).toBeNull();
      const none = await stores.chat.history(channel.id, { after: sent[6]?.seq, limit: 3 });
      expect(none.items).toEqual([]);
      expect(none.newerCursor).toBeNull();
      // From before the first message: nothing older to page back to.
      const start = await stores.chat.history(channel.id, { after: 0, limit: 2 });
      expect(contents(start.items)).toEqual(['m2', 'm1']);
      expect(start.nextCursor).toBeNull();
    });

    it('leaves out thread replies kept in their thread; a window around one centres on its root', async () => {
      const { ada, channel, sent } = await channelWith(3);
      const root = sent[1] as Message;
      const hidden = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'in the thread',
        threadId: root.id,
      });
      const shown = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'also in the channel',
        threadId: root.id,
        alsoInChannel: true,
      });
      await stores.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'm4' });
      const window = await stores.chat.around(hidden.message.id, { limit: 9 });
      expect(window.messageId).toBe(root.id);
      expect(contents(window.items)).toEqual(['m4', 'also in the channel', 'm3', 'm2', 'm1']);
      const newer = await stores.chat.history(channel.id, { after: root.seq, limit: 10 });
      expect(contents(newer.items)).toEqual(['m4', 'also in the channel', 'm3']);
      expect(shown.message.alsoInChannel).toBe(true);
    });
  });
}
