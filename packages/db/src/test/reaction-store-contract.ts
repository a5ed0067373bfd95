import { REACTION_LIMITS } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  expectAppError,
  type MakeStores,
  makeUser,
  type StoresUnderTest,
  twoPeopleAndAChannel,
} from './stores-harness';

/** Resolves once the clock has moved on to the next millisecond. */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** The reaction part of the ChatStore contract: react/unreact, their events, replay and history reads. */
export function reactionStoreContract(name: string, makeStores: MakeStores): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    // Reactions are listed oldest first, and two in the same millisecond have no order between them:
    // each reaction here gets a millisecond of its own, so the expected order is the order written.
    const react = async (input: Parameters<StoresUnderTest['chat']['react']>[0]) => {
      await nextMillisecond();
      return stores.chat.react(input);
    };

    const setUp = async () => {
      const { ada, bob, channel } = await twoPeopleAndAChannel(stores, 'r');
      const { message } = await stores.chat.sendMessage({ channelId: channel.id, authorId: ada.id, content: 'hi' });
      return { ada, bob, channel, message };
    };

    it('adds a reaction with a message.reactions event at the next offset, and takes it back', async () => {
      const { ada, bob, channel, message } = await setUp();
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const first = await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: true });
      expect(first.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [ada.id] }]);
      expect(first.event).toEqual({
        channelId: channel.id,
        offset: head + 1,
        change: { type: 'message.reactions', messageId: message.id, reactions: first.reactions },
      });
      const second = await react({ messageId: message.id, userId: bob.id, emoji: '👍', on: true });
      expect(second.reactions).toEqual([{ emoji: '👍', count: 2, userIds: [ada.id, bob.id] }]);
      const third = await react({ messageId: message.id, userId: bob.id, emoji: '🎉', on: true });
      expect(third.reactions).toEqual([
        { emoji: '👍', count: 2, userIds: [ada.id, bob.id] },
        { emoji: '🎉', count: 1, userIds: [bob.id] },
      ]);
      const back = await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: false });
      expect(back.reactions).toEqual([
        { emoji: '👍', count: 1, userIds: [bob.id] },
        { emoji: '🎉', count: 1, userIds: [bob.id] },
      ]);
      expect(back.event?.offset).toBe(head + 4);
    });

    it('is harmless twice: reacting again or taking back what is not there changes nothing and appends nothing', async () => {
      const { ada, channel, message } = await setUp();
      await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: true });
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const again = await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: true });
      expect(again).toEqual({ reactions: [{ emoji: '👍', count: 1, userIds: [ada.id] }], event: null });
      const never = await react({ messageId: message.id, userId: ada.id, emoji: '🎉', on: false });
      expect(never.event).toBeNull();
      expect((await stores.chat.streamInfo(channel.id)).head).toBe(head);
    });

    it('carries the reactions on the message read back, in history and on replay', async () => {
      const { ada, bob, channel, message } = await setUp();
      const before = (await stores.chat.streamInfo(channel.id)).head;
      await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: true });
      await react({ messageId: message.id, userId: bob.id, emoji: '❤️', on: true });
      const expected = [
        { emoji: '👍', count: 1, userIds: [ada.id] },
        { emoji: '❤️', count: 1, userIds: [bob.id] },
      ];
      expect((await stores.chat.messageById(message.id))?.reactions).toEqual(expected);
      const history = await stores.chat.history(channel.id, { limit: 10 });
      expect(history.items.find((m) => m.id === message.id)?.reactions).toEqual(expected);
      // Replay hydrates each reaction event with the message's reactions as they are now.
      const replayed = await stores.chat.eventsAfter(channel.id, before, 10);
      expect(replayed.map((e) => e.change)).toEqual([
        { type: 'message.reactions', messageId: message.id, reactions: expected },
        { type: 'message.reactions', messageId: message.id, reactions: expected },
      ]);
      // The message's creation replayed carries them too.
      const created = (await stores.chat.eventsAfter(channel.id, 0, 10)).find(
        (e) => e.change.type === 'message.created',
      );
      expect(created?.change).toMatchObject({ message: { id: message.id, reactions: expected } });
      // An edit's event keeps them.
      const edited = await stores.chat.editMessage(message.id, { content: 'hello', edited: true });
      expect(edited.message.reactions).toEqual(expected);
    });

    it('refuses a new emoji past the per-message cap, and still takes one already there', async () => {
      const { ada, bob, message } = await setUp();
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗🤩🤔🫡'].slice(0, REACTION_LIMITS.emoji);
      for (const e of emoji) await react({ messageId: message.id, userId: ada.id, emoji: e, on: true });
      const error = await expectAppError(
        react({ messageId: message.id, userId: ada.id, emoji: '🐢', on: true }),
        'BAD_REQUEST',
      );
      expect(error.message).toBe('this message has the most reactions it can take');
      const more = await react({ messageId: message.id, userId: bob.id, emoji: emoji[0] ?? '', on: true });
      expect(more.reactions).toHaveLength(REACTION_LIMITS.emoji);
      expect(more.reactions[0]).toEqual({ emoji: emoji[0], count: 2, userIds: [ada.id, bob.id] });
    });

    it('lists the first reactors of an emoji only, and counts them all', async () => {
      const { message } = await setUp();
      const people = [];
      for (let i = 0; i < REACTION_LIMITS.userIds + 2; i++) people.push(await makeUser(stores.users));
      for (const person of people) {
        await react({ messageId: message.id, userId: person.id, emoji: '👍', on: true });
      }
      const [reaction] = (await stores.chat.messageById(message.id))?.reactions ?? [];
      expect(reaction?.count).toBe(people.length);
      expect(reaction?.userIds).toHaveLength(REACTION_LIMITS.userIds);
      expect(reaction?.userIds).toEqual(expect.arrayContaining([people[0]?.id]));
    });

    it('answers NOT_FOUND for a message that does not exist, and deletes reactions with their message', async () => {
      const { ada, channel, message } = await setUp();
      await expectAppError(react({ messageId: 'nope', userId: ada.id, emoji: '👍', on: true }), 'NOT_FOUND');
      const before = (await stores.chat.streamInfo(channel.id)).head;
      await react({ messageId: message.id, userId: ada.id, emoji: '👍', on: true });
      await stores.chat.deleteMessage(message.id);
      await expectAppError(react({ messageId: message.id, userId: ada.id, emoji: '👍', on: false }), 'NOT_FOUND');
      // The reaction event of a deleted message is dropped on replay; its delete follows.
      expect((await stores.chat.eventsAfter(channel.id, before, 10)).map((e) => e.change)).toEqual([
        { type: 'message.deleted', messageId: message.id },
      ]);
      // A new message gets none of the old rows (they are gone).
      const { message: next } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'x',
      });
      expect((await stores.chat.messageById(next.id))?.reactions).toBeUndefined();
    });
  });
}
