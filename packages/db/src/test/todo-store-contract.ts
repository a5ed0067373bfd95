import { TODO_LIMITS, type TodoItemsInput, ZTodoItemsInput } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, type MakeStores, type StoresUnderTest, twoPeopleAndAChannel } from './stores-harness';

/** The todo part of the ChatStore contract: a channel's plan, its todo.updated events and their replay. */
export function todoStoreContract(name: string, makeStores: MakeStores): void {
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
      return { ada, bob, channel };
    };
    const plan: TodoItemsInput = [
      { content: 'read the issue', status: 'done' },
      { content: 'write the store', status: 'in_progress' },
      { content: 'document it', status: 'pending' },
    ];

    it('has an empty plan nobody touched before the first change; NOT_FOUND for no such channel', async () => {
      const { channel } = await setUp();
      expect(await stores.chat.todos(channel.id)).toEqual({
        channelId: channel.id,
        items: [],
        updatedAt: null,
        updatedBy: null,
      });
      await expectAppError(stores.chat.todos('no-such-channel'), 'NOT_FOUND');
    });

    it('replaces the plan whole: new ids, the order and statuses given, who and when, with a todo.updated event', async () => {
      const { ada, bob, channel } = await setUp();
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const first = await stores.chat.replaceTodos(channel.id, plan, ada.id);
      expect(first.todos.items.map(({ content, status }) => ({ content, status }))).toEqual(plan);
      expect(new Set(first.todos.items.map((item) => item.id)).size).toBe(plan.length);
      expect(first.todos).toMatchObject({ channelId: channel.id, updatedBy: ada.id });
      expect(Date.parse(first.todos.updatedAt ?? '')).not.toBeNaN();
      expect(first.event).toEqual({
        channelId: channel.id,
        offset: head + 1,
        change: { type: 'todo.updated', todos: first.todos },
      });
      expect(await stores.chat.todos(channel.id)).toEqual(first.todos);

      // A new plan: its items are new ones, even where the words are the same.
      const second = await stores.chat.replaceTodos(
        channel.id,
        [
          { content: 'document it', status: 'pending' },
          { content: 'ship it', status: 'pending' },
        ],
        bob.id,
      );
      expect(second.todos.items.map((item) => item.content)).toEqual(['document it', 'ship it']);
      expect(second.todos.items.some((item) => first.todos.items.some((old) => old.id === item.id))).toBe(false);
      expect(second.todos.updatedBy).toBe(bob.id);
      expect(second.event.offset).toBe(head + 2);
      expect(await stores.chat.todos(channel.id)).toEqual(second.todos);

      // Emptied: a plan with no items, still someone's change.
      const emptied = await stores.chat.replaceTodos(channel.id, [], ada.id);
      expect(emptied.todos).toMatchObject({ items: [], updatedBy: ada.id });
      expect(await stores.chat.todos(channel.id)).toEqual(emptied.todos);
    });

    it('sets one item’s status with a todo.updated event, replayed with the channel’s events after an offset', async () => {
      const { ada, bob, channel } = await setUp();
      const { todos } = await stores.chat.replaceTodos(channel.id, plan, ada.id);
      const after = (await stores.chat.streamInfo(channel.id)).head;
      const target = todos.items[2];
      if (!target) throw new Error('no third item');
      const ticked = await stores.chat.setTodoStatus(channel.id, target.id, 'done', bob.id);
      expect(ticked.todos.items).toEqual([todos.items[0], todos.items[1], { ...target, status: 'done' }]);
      expect(ticked.todos.updatedBy).toBe(bob.id);
      expect(ticked.event).toEqual({
        channelId: channel.id,
        offset: after + 1,
        change: { type: 'todo.updated', todos: ticked.todos },
      });
      const { message } = await stores.chat.sendMessage({ channelId: channel.id, authorId: bob.id, content: 'done' });
      // Stored as it was: a replay carries the plan of that moment, not the current one.
      await stores.chat.setTodoStatus(channel.id, target.id, 'pending', ada.id);
      const replay = await stores.chat.eventsAfter(channel.id, after, 10);
      expect(replay.map((event) => event.change.type)).toEqual(['todo.updated', 'message.created', 'todo.updated']);
      expect(replay[0]).toEqual(ticked.event);
      expect(replay[1]?.change).toMatchObject({ type: 'message.created', message: { id: message.id } });
      expect(await stores.chat.todos(channel.id)).toMatchObject({ items: todos.items, updatedBy: ada.id });
    });

    it('answers NOT_FOUND for an id the plan does not have (or no plan, or no channel), appending nothing', async () => {
      const { ada, channel } = await setUp();
      await expectAppError(stores.chat.setTodoStatus(channel.id, 'no-such-item', 'done', ada.id), 'NOT_FOUND');
      const { todos } = await stores.chat.replaceTodos(channel.id, plan, ada.id);
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const error = await expectAppError(
        stores.chat.setTodoStatus(channel.id, 'no-such-item', 'done', ada.id),
        'NOT_FOUND',
      );
      expect(error.message).toMatch(/todo/);
      // An id of the plan it replaced is gone with it.
      const { todos: next } = await stores.chat.replaceTodos(channel.id, plan, ada.id);
      await expectAppError(
        stores.chat.setTodoStatus(channel.id, todos.items[0]?.id ?? '', 'done', ada.id),
        'NOT_FOUND',
      );
      expect((await stores.chat.streamInfo(channel.id)).head).toBe(head + 1);
      expect(await stores.chat.todos(channel.id)).toEqual(next);
      const noChannel = await expectAppError(
        stores.chat.setTodoStatus('no-such-channel', 'x', 'done', ada.id),
        'NOT_FOUND',
      );
      expect(noChannel.message).toMatch(/channel/);
      await expectAppError(stores.chat.replaceTodos('no-such-channel', plan, ada.id), 'NOT_FOUND');
    });

    it('keeps every tick when several land at once (none lost to another)', async () => {
      const { ada, bob, channel } = await setUp();
      const many = Array.from({ length: 8 }, (_, i) => ({ content: `step ${i}`, status: 'pending' as const }));
      const { todos } = await stores.chat.replaceTodos(channel.id, many, ada.id);
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const ticks = await Promise.all(
        todos.items.map((item, i) => stores.chat.setTodoStatus(channel.id, item.id, 'done', i % 2 ? ada.id : bob.id)),
      );
      expect((await stores.chat.todos(channel.id)).items.map((item) => item.status)).toEqual(many.map(() => 'done'));
      // Gap-free offsets, and each event's plan is the one before it plus its own tick.
      const offsets = ticks.map((tick) => tick.event.offset).sort((a, b) => a - b);
      expect(offsets).toEqual(many.map((_, i) => head + 1 + i));
      const byOffset = [...ticks].sort((a, b) => a.event.offset - b.event.offset);
      byOffset.forEach((tick, i) => {
        expect(tick.todos.items.filter((item) => item.status === 'done')).toHaveLength(i + 1);
      });
    });

    it('stores a plan as large as the input schema allows (the API validates, the store trusts)', async () => {
      const { ada, channel } = await setUp();
      const longest = 'x'.repeat(TODO_LIMITS.content);
      const full = ZTodoItemsInput.parse(Array.from({ length: TODO_LIMITS.items }, () => ({ content: longest })));
      expect(ZTodoItemsInput.safeParse([...full, { content: 'one more' }]).success).toBe(false);
      expect(ZTodoItemsInput.safeParse([{ content: `${longest}x` }]).success).toBe(false);
      const { todos } = await stores.chat.replaceTodos(channel.id, full, ada.id);
      expect(todos.items).toHaveLength(TODO_LIMITS.items);
      expect(todos.items.every((item) => item.status === 'pending' && item.content === longest)).toBe(true);
      expect(await stores.chat.todos(channel.id)).toEqual(todos);
    });
  });
}
