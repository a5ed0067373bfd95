import { directKey } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, type MakeStores, makeUser, type StoresUnderTest } from './stores-harness';

/** The PeopleStore contract (user streams, read positions, mentions), with the ChatStore and UserStore parts it relies on. */
export function peopleStoreContract(name: string, makeStores: MakeStores): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    const channelWith = async (slug: string, ...userIds: string[]) => {
      const { channel } = await stores.chat.createChannel({ slug, name: slug, visibility: 'private', createdBy: null });
      for (const userId of userIds) await stores.chat.join(channel.id, userId);
      return channel;
    };
    const send = (channelId: string, authorId: string, content: string, mentions?: string[]) =>
      stores.chat.sendMessage({ channelId, authorId, content, meta: mentions ? { mentions } : undefined });

    it('appends to each user stream at its own gap-free offsets and reads them back', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const left = { type: 'channel.left' as const, channelId: 'c1', by: null };
      const stored = await stores.people.append([
        { userId: ada.id, change: left },
        { userId: bob.id, change: left },
        { userId: ada.id, change: { ...left, channelId: 'c2' } },
      ]);
      expect(stored.map((e) => [e.userId, e.offset])).toEqual([
        [ada.id, 1],
        [bob.id, 1],
        [ada.id, 2],
      ]);
      expect(await stores.people.eventsAfter(ada.id, 0, 10)).toEqual([
        { userId: ada.id, offset: 1, change: left },
        { userId: ada.id, offset: 2, change: { ...left, channelId: 'c2' } },
      ]);
      expect(await stores.people.eventsAfter(ada.id, 1, 10)).toHaveLength(1);
      expect(await stores.people.streamInfo(bob.id)).toEqual({
        epoch: stores.people.epoch(),
        head: 1,
        oldestRetained: 1,
      });
    });

    it('refuses a stream of a user that does not exist, writing nothing', async () => {
      const ada = await makeUser(stores.users);
      await expectAppError(
        stores.people.append([
          { userId: ada.id, change: { type: 'channel.left', channelId: 'c', by: null } },
          { userId: 'nobody', change: { type: 'channel.left', channelId: 'c', by: null } },
        ]),
        'NOT_FOUND',
      );
      expect(await stores.people.eventsAfter(ada.id, 0, 10)).toEqual([]);
    });

    it('counts what came after a member joined as unread, never their own messages', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const before = await channelWith('before', ada.id);
      await send(before.id, ada.id, 'said before bob came');
      await stores.chat.join(before.id, bob.id);
      await send(before.id, ada.id, 'one');
      await send(before.id, ada.id, 'two');
      await send(before.id, bob.id, 'mine');
      const [state] = await stores.people.readStates(bob.id);
      expect(state).toMatchObject({ channelId: before.id, unread: 2, mentions: 0 });
      expect(state?.headSeq).toBe((await stores.chat.channelById(before.id))?.lastOffset);
      expect((await stores.people.readStates(ada.id))[0]).toMatchObject({ unread: 1 });
      expect(await stores.people.readStates(bob.id, [before.id])).toEqual([state]);
      expect(await stores.people.readStates(bob.id, ['elsewhere'])).toEqual([]);
      expect(await stores.people.readStates(bob.id, [])).toEqual([]);
    });

    it('counts mentions after the read position and forgets those of a deleted message', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const room = await channelWith('room', ada.id, bob.id);
      const { message: first } = await send(room.id, ada.id, '@bob look', [bob.id]);
      const { message: second } = await send(room.id, ada.id, '@bob and again', [bob.id]);
      expect((await stores.people.readStates(bob.id))[0]).toMatchObject({ unread: 2, mentions: 2 });
      await stores.chat.deleteMessage(second.id);
      expect((await stores.people.readStates(bob.id))[0]).toMatchObject({ unread: 1, mentions: 1 });
      const read = await stores.people.markRead(bob.id, room.id, first.seq);
      expect(read?.change).toEqual({
        type: 'channel.read',
        channelId: room.id,
        seq: first.seq,
        unread: 0,
        mentions: 0,
      });
      expect((await stores.people.readStates(bob.id))[0]).toMatchObject({ readSeq: first.seq, unread: 0, mentions: 0 });
    });

    it('moves a read position forward only, and stores each move (only) in the user stream', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const room = await channelWith('room', ada.id, bob.id);
      const { message: one } = await send(room.id, ada.id, 'one');
      const { message: two } = await send(room.id, ada.id, 'two');
      const forward = await stores.people.markRead(bob.id, room.id, two.seq);
      expect(forward?.change).toMatchObject({ type: 'channel.read', seq: two.seq, unread: 0 });
      expect(await stores.people.markRead(bob.id, room.id, one.seq)).toBeNull();
      expect(await stores.people.markRead(bob.id, room.id, two.seq)).toBeNull();
      expect((await stores.people.readStates(bob.id))[0]).toMatchObject({ readSeq: two.seq, kind: 'channel' });
      expect((await stores.people.eventsAfter(bob.id, 0, 10)).map((e) => e.change)).toEqual([forward?.change]);
    });

    // A thousand sends: seconds on PostgreSQL.
    it('caps the unread count', { timeout: 60_000 }, async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const room = await channelWith('room', ada.id, bob.id);
      await Promise.all(Array.from({ length: 1005 }, (_, i) => send(room.id, ada.id, `m${i}`)));
      expect((await stores.people.readStates(bob.id))[0]?.unread).toBe(1000);
    });

    it('forgets the read position of a member who leaves: back in, nothing before counts', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const room = await channelWith('room', ada.id, bob.id);
      await send(room.id, ada.id, 'one');
      await stores.chat.leave(room.id, bob.id);
      expect(await stores.people.readStates(bob.id)).toEqual([]);
      await send(room.id, ada.id, 'while away');
      await stores.chat.join(room.id, bob.id);
      expect((await stores.people.readStates(bob.id))[0]).toMatchObject({ unread: 0 });
    });

    it('opens one direct conversation per set of people, with all of them as members', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const cy = await makeUser(stores.users);
      const open = (userIds: string[]) =>
        stores.chat.openDirect({
          slug: `dm-${userIds.length}-${Math.random().toString(36).slice(2, 8)}`,
          name: 'dm',
          visibility: 'private',
          createdBy: userIds[0] ?? null,
          dmKey: directKey(userIds),
          userIds,
        });
      const first = await open([ada.id, bob.id]);
      expect(first.created).toBe(true);
      expect(first.channel).toMatchObject({ kind: 'dm', visibility: 'private', memberCount: 2 });
      const again = await Promise.all([open([bob.id, ada.id]), open([ada.id, bob.id])]);
      expect(again.map((r) => [r.channel.id, r.created])).toEqual([
        [first.channel.id, false],
        [first.channel.id, false],
      ]);
      const group = await open([ada.id, bob.id, cy.id]);
      expect(group.channel.id).not.toBe(first.channel.id);
      expect((await stores.chat.members(group.channel.id)).map((m) => m.userId).sort()).toEqual(
        [ada.id, bob.id, cy.id].sort(),
      );
    });

    it('finds people by handles and by the start of a handle or name', async () => {
      const ada = await stores.users.create({ handle: 'ada', displayName: 'Ada Lovelace', passwordHash: 'h' });
      await stores.users.create({ handle: 'adam', displayName: 'Adam', passwordHash: 'h' });
      await stores.users.create({ handle: 'zed', displayName: 'Lovelace Fan', passwordHash: 'h' });
      expect((await stores.users.byHandles(['ada', 'nobody'])).map((u) => u.id)).toEqual([ada.id]);
      expect(await stores.users.byHandles([])).toEqual([]);
      expect((await stores.users.search('ad', 10)).map((u) => u.handle)).toEqual(['ada', 'adam']);
      expect((await stores.users.search('LOVE', 10)).map((u) => u.handle)).toEqual(['zed']);
      expect((await stores.users.search('%', 10)).map((u) => u.handle)).toEqual(['ada', 'adam', 'zed']);
      expect(await stores.users.search(undefined, 2)).toHaveLength(2);
      expect((await stores.users.admins()).map((u) => u.id)).toEqual([ada.id]);
    });
  });
}
