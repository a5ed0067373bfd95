import { type Channel, type ChatStore, formatEventId, parseEventId, planResume, type User } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectAppError, type MakeStores, makeUser, type StoresUnderTest } from './stores-harness';

export interface ChatStoreContractOptions {
  /**
   * Fresh stores that keep about `retention` stream events per channel. When
   * given, the suite also checks that old events are pruned.
   */
  makeStoresWithRetention?: (retention: number) => Promise<StoresUnderTest>;
}

/** The ChatStore contract: run on SQLite and PostgreSQL. */
export function chatStoreContract(name: string, makeStores: MakeStores, options: ChatStoreContractOptions = {}): void {
  describe(name, () => {
    let stores: StoresUnderTest;
    let chat: ChatStore;
    let ada: User;
    let bob: User;

    beforeEach(async () => {
      stores = await makeStores();
      chat = stores.chat;
      ada = await makeUser(stores.users, 'ada');
      bob = await makeUser(stores.users, 'bob');
    });
    afterEach(async () => {
      await stores.close();
    });

    const createChannel = async (slug: string, creator: User | null, visibility: Channel['visibility'] = 'public') =>
      (await chat.createChannel({ slug, name: slug.toUpperCase(), visibility, createdBy: creator?.id ?? null }))
        .channel;
    const send = async (channelId: string, author: User | null, content: string, clientId?: string) =>
      chat.sendMessage({ channelId, authorId: author?.id ?? null, content, clientId });
    const head = async (channelId: string) => (await chat.streamInfo(channelId)).head;
    const offsetsAfter = async (channelId: string, after = 0) =>
      (await chat.eventsAfter(channelId, after, 1_000)).map((e) => e.offset);

    describe('a fresh database', () => {
      it('has a public `general` channel with an empty stream', async () => {
        const general = await chat.channelBySlug('general');
        expect(general).toMatchObject({ slug: 'general', visibility: 'public', archivedAt: null, lastOffset: 0 });
        if (!general) throw new Error('no general');
        expect(await chat.channelById(general.id)).toEqual(general);
        expect(await chat.streamInfo(general.id)).toEqual({ epoch: chat.epoch(), head: 0, oldestRetained: 1 });
        expect(await chat.eventsAfter(general.id, 0, 100)).toEqual([]);
        const listed = await chat.listChannels(ada.id);
        expect(listed.map((c) => c.slug)).toEqual(['general']);
        expect(listed[0]?.joined).toBe(false);
      });

      it('has a stable epoch that fits in an event id', async () => {
        const epoch = chat.epoch();
        expect(epoch.length).toBeGreaterThan(0);
        expect(chat.epoch()).toBe(epoch);
        expect(parseEventId(formatEventId(epoch, 7))).toEqual({ epoch, offset: 7 });
      });

      it('gets a different epoch than another database', async () => {
        const other = await makeStores();
        try {
          expect(other.chat.epoch()).not.toBe(chat.epoch());
        } finally {
          await other.close();
        }
      });
    });

    describe('channels', () => {
      it('createChannel makes the creator join as owner, at offset 1', async () => {
        const { channel, events } = await chat.createChannel({
          slug: 'dev',
          name: 'Dev',
          topic: 'builds',
          visibility: 'public',
          createdBy: ada.id,
        });
        expect(channel).toMatchObject({
          slug: 'dev',
          name: 'Dev',
          topic: 'builds',
          visibility: 'public',
          createdBy: ada.id,
          memberCount: 1,
          lastMessageAt: null,
          archivedAt: null,
          lastOffset: 1,
        });
        expect(events).toEqual([
          {
            channelId: channel.id,
            offset: 1,
            change: {
              type: 'member.joined',
              member: {
                userId: ada.id,
                handle: 'ada',
                displayName: 'ADA',
                role: 'owner',
                joinedAt: expect.any(String),
              },
            },
          },
        ]);
        expect(await chat.membership(channel.id, ada.id)).toMatchObject({ userId: ada.id, role: 'owner' });
        expect(await chat.channelBySlug('dev')).toEqual(channel);
        expect(await chat.channelById(channel.id)).toEqual(channel);
      });

      it('createChannel without a creator has no members and no events', async () => {
        const { channel, events } = await chat.createChannel({
          slug: 'news',
          name: 'News',
          visibility: 'public',
          createdBy: null,
        });
        expect(events).toEqual([]);
        expect(channel).toMatchObject({ memberCount: 0, lastOffset: 0, topic: null });
        expect(await chat.members(channel.id)).toEqual([]);
      });

      it('answers CONFLICT for a taken slug and leaves the existing channel alone', async () => {
        const dev = await createChannel('dev', ada);
        await expectAppError(
          chat.createChannel({ slug: 'dev', name: 'Other', visibility: 'private', createdBy: bob.id }),
          'CONFLICT',
        );
        expect(await chat.channelBySlug('dev')).toEqual(dev);
        expect(await chat.membership(dev.id, bob.id)).toBeNull();
        await expectAppError(
          chat.createChannel({ slug: 'general', name: 'Again', visibility: 'public', createdBy: null }),
          'CONFLICT',
        );
      });

      it('listChannels hides private channels from non-members and flags joined ones', async () => {
        const secret = await createChannel('secret', ada, 'private');
        await createChannel('dev', ada);
        const forAda = await chat.listChannels(ada.id);
        const forBob = await chat.listChannels(bob.id);
        expect(forAda.map((c) => [c.slug, c.joined])).toEqual([
          ['dev', true],
          ['general', false],
          ['secret', true],
        ]);
        expect(forBob.map((c) => [c.slug, c.joined])).toEqual([
          ['dev', false],
          ['general', false],
        ]);
        // Joining a private channel (an invite or an admin) makes it visible.
        await chat.join(secret.id, bob.id);
        const after = await chat.listChannels(bob.id);
        expect(after.find((c) => c.slug === 'secret')).toMatchObject({ joined: true, memberCount: 2 });
        // Leaving hides it again.
        await chat.leave(secret.id, bob.id);
        expect((await chat.listChannels(bob.id)).map((c) => c.slug)).not.toContain('secret');
      });

      it('reads what the access rules need in one call: visibility, archive state, the role of one person', async () => {
        const team = await createChannel('team', ada, 'private');
        expect(await chat.access(team.id, ada.id)).toEqual({
          channel: { visibility: 'private', archivedAt: null },
          membership: { role: 'owner' },
        });
        expect(await chat.access(team.id, bob.id)).toEqual({
          channel: { visibility: 'private', archivedAt: null },
          membership: null,
        });
        await chat.join(team.id, bob.id);
        expect((await chat.access(team.id, bob.id))?.membership).toEqual({ role: 'member' });
        const { channel: archived } = await chat.archive(team.id);
        expect((await chat.access(team.id, bob.id))?.channel).toEqual({
          visibility: 'private',
          archivedAt: archived.archivedAt,
        });
        expect(await chat.access('no-such-channel', ada.id)).toBeNull();
      });

      it('listChannels puts archived channels last', async () => {
        const aaa = await createChannel('aaa', ada);
        await createChannel('zzz', ada);
        await chat.archive(aaa.id);
        const slugs = (await chat.listChannels(ada.id)).map((c) => c.slug);
        expect(slugs).toEqual(['general', 'zzz', 'aaa']);
      });

      it('listChannels pages in the same order, from a position', async () => {
        const aaa = await createChannel('aaa', ada);
        for (const slug of ['bbb', 'ccc', 'ddd']) await createChannel(slug, ada);
        await chat.archive(aaa.id);
        const first = await chat.listChannels(ada.id, { limit: 2 });
        expect(first.map((c) => c.slug)).toEqual(['bbb', 'ccc']);
        const second = await chat.listChannels(ada.id, { after: { archived: false, slug: 'ccc' }, limit: 2 });
        expect(second.map((c) => c.slug)).toEqual(['ddd', 'general']);
        const third = await chat.listChannels(ada.id, { after: { archived: false, slug: 'general' }, limit: 2 });
        expect(third.map((c) => c.slug)).toEqual(['aaa']);
        expect(await chat.listChannels(ada.id, { after: { archived: true, slug: 'aaa' }, limit: 2 })).toEqual([]);
      });

      it('join and leave are idempotent: a repeat returns null and takes no offset', async () => {
        const dev = await createChannel('dev', ada);
        const joined = await chat.join(dev.id, bob.id);
        expect(joined).toEqual({
          channelId: dev.id,
          offset: 2,
          change: {
            type: 'member.joined',
            member: { userId: bob.id, handle: 'bob', displayName: 'BOB', role: 'member', joinedAt: expect.any(String) },
          },
        });
        expect(await chat.join(dev.id, bob.id)).toBeNull();
        expect(await head(dev.id)).toBe(2);
        expect((await chat.channelById(dev.id))?.memberCount).toBe(2);

        const left = await chat.leave(dev.id, bob.id);
        expect(left).toEqual({ channelId: dev.id, offset: 3, change: { type: 'member.left', userId: bob.id } });
        expect(await chat.leave(dev.id, bob.id)).toBeNull();
        expect(await head(dev.id)).toBe(3);
        expect(await chat.membership(dev.id, bob.id)).toBeNull();
        expect((await chat.channelById(dev.id))?.memberCount).toBe(1);
      });

      it('lists members with their roles, and join can grant owner', async () => {
        const dev = await createChannel('dev', bob);
        await chat.join(dev.id, ada.id, 'owner');
        const cy = await makeUser(stores.users, 'cy');
        await chat.join(dev.id, cy.id);
        const members = await chat.members(dev.id);
        expect(members.map((m) => [m.handle, m.role])).toEqual([
          ['ada', 'owner'],
          ['bob', 'owner'],
          ['cy', 'member'],
        ]);
        expect(members[0]).toEqual({
          userId: ada.id,
          handle: 'ada',
          displayName: 'ADA',
          role: 'owner',
          joinedAt: expect.any(String),
        });
      });

      it('archive sets archivedAt and appends channel.updated', async () => {
        const dev = await createChannel('dev', ada);
        const { channel, event } = await chat.archive(dev.id);
        expect(channel.archivedAt).toEqual(expect.any(String));
        expect(channel.lastOffset).toBe(2);
        expect(event).toEqual({ channelId: dev.id, offset: 2, change: { type: 'channel.updated', channel } });
        expect((await chat.channelById(dev.id))?.archivedAt).toBe(channel.archivedAt);
      });

      it('unarchive clears archivedAt and appends channel.updated; the channel takes messages again', async () => {
        const dev = await createChannel('dev', ada);
        await chat.archive(dev.id);
        const { channel, event } = await chat.unarchive(dev.id);
        expect(channel.archivedAt).toBeNull();
        expect(event).toEqual({ channelId: dev.id, offset: 3, change: { type: 'channel.updated', channel } });
        expect((await chat.channelById(dev.id))?.archivedAt).toBeNull();
        const sent = await chat.sendMessage({ channelId: dev.id, authorId: ada.id, content: 'back again' });
        expect(sent.event?.offset).toBe(4);
      });

      it('update renames and sets or clears the topic, leaving the rest, with channel.updated', async () => {
        const dev = await createChannel('dev', ada);
        const renamed = await chat.update(dev.id, { name: 'Development' });
        expect(renamed.channel).toMatchObject({ slug: 'dev', name: 'Development', topic: null, lastOffset: 2 });
        expect(renamed.event).toEqual({
          channelId: dev.id,
          offset: 2,
          change: { type: 'channel.updated', channel: renamed.channel },
        });
        const topical = await chat.update(dev.id, { topic: 'builds and releases' });
        expect(topical.channel).toMatchObject({ name: 'Development', topic: 'builds and releases' });
        const cleared = await chat.update(dev.id, { topic: null });
        expect(cleared.channel.topic).toBeNull();
        expect(await chat.channelById(dev.id)).toMatchObject({ name: 'Development', topic: null, lastOffset: 4 });
      });
    });

    describe('offsets', () => {
      it('gives every change the next offset, gap-free per channel and independent between channels', async () => {
        const a = await chat.createChannel({ slug: 'a', name: 'A', visibility: 'public', createdBy: ada.id });
        const b = await chat.createChannel({ slug: 'b', name: 'B', visibility: 'private', createdBy: bob.id });
        const aOffsets = a.events.map((e) => e.offset);
        const bOffsets = b.events.map((e) => e.offset);
        const aId = a.channel.id;
        const bId = b.channel.id;

        const m1 = await send(aId, ada, 'one');
        aOffsets.push(m1.event?.offset ?? -1);
        bOffsets.push((await send(bId, bob, 'uno')).event?.offset ?? -1);
        aOffsets.push((await chat.join(aId, bob.id))?.offset ?? -1);
        aOffsets.push((await chat.editMessage(m1.message.id, { content: 'one!', edited: true })).event.offset);
        bOffsets.push((await chat.join(bId, ada.id))?.offset ?? -1);
        const m2 = await send(aId, bob, 'two');
        aOffsets.push(m2.event?.offset ?? -1);
        aOffsets.push((await chat.deleteMessage(m2.message.id)).event.offset);
        aOffsets.push((await chat.leave(aId, bob.id))?.offset ?? -1);
        bOffsets.push((await chat.archive(bId)).event.offset);
        aOffsets.push((await send(aId, null, 'system note')).event?.offset ?? -1);

        expect(aOffsets).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect(bOffsets).toEqual([1, 2, 3, 4]);
        expect(await chat.streamInfo(aId)).toEqual({ epoch: chat.epoch(), head: 8, oldestRetained: 1 });
        expect(await chat.streamInfo(bId)).toEqual({ epoch: chat.epoch(), head: 4, oldestRetained: 1 });
        expect((await chat.channelById(aId))?.lastOffset).toBe(8);
        // The stored stream matches, minus the events of the deleted message (offsets 5).
        expect(await offsetsAfter(aId)).toEqual([1, 2, 3, 4, 6, 7, 8]);
        expect(await offsetsAfter(bId)).toEqual([1, 2, 3, 4]);
      });

      it("uses a message's creation offset as its seq", async () => {
        const dev = await createChannel('dev', ada);
        const { message, event } = await send(dev.id, ada, 'hi');
        expect(event?.offset).toBe(2);
        expect(message.seq).toBe(2);
      });
    });

    describe('messages', () => {
      it('sendMessage stores the message with its author and touches lastMessageAt', async () => {
        const dev = await createChannel('dev', ada);
        const { message, event } = await chat.sendMessage({
          channelId: dev.id,
          authorId: ada.id,
          content: 'hello',
          clientId: 'c-1',
          meta: { lane: 'chat', tokenCount: 3 },
        });
        expect(message).toEqual({
          id: expect.any(String),
          seq: 2,
          channelId: dev.id,
          authorId: ada.id,
          author: { handle: 'ada', displayName: 'ADA' },
          role: 'user',
          status: 'complete',
          content: 'hello',
          clientId: 'c-1',
          meta: { lane: 'chat', tokenCount: 3 },
          createdAt: expect.any(String),
          editedAt: null,
        });
        expect(event).toEqual({ channelId: dev.id, offset: 2, change: { type: 'message.created', message } });
        expect(await chat.messageById(message.id)).toEqual(message);
        expect((await chat.channelById(dev.id))?.lastMessageAt).toBe(message.createdAt);
      });

      it('stores assistant and system messages without an author', async () => {
        const dev = await createChannel('dev', ada);
        const { message } = await chat.sendMessage({
          channelId: dev.id,
          authorId: null,
          content: '',
          role: 'assistant',
          status: 'streaming',
        });
        expect(message).toMatchObject({ authorId: null, author: null, role: 'assistant', status: 'streaming' });
        expect(await chat.messageById(message.id)).toEqual(message);
        expect(message.meta).toBeNull();
        expect(message.clientId).toBeNull();
      });

      it('checkPostAccess refuses an outsider, an archived channel, a private one and an unknown one, storing nothing', async () => {
        const dev = await createChannel('dev', ada);
        const secret = await createChannel('secret', ada, 'private');
        const guarded = (channelId: string, author: User, clientId?: string) =>
          chat.sendMessage({ channelId, authorId: author.id, content: 'hi', clientId, checkPostAccess: true });

        const allowed = await guarded(dev.id, ada);
        expect(allowed.event?.offset).toBe(2);
        // What the send returns is what is stored.
        expect(allowed.message.author).toEqual({ handle: 'ada', displayName: 'ADA' });
        expect(await chat.messageById(allowed.message.id)).toEqual(allowed.message);
        const outsider = await expectAppError(guarded(dev.id, bob), 'FORBIDDEN');
        expect(outsider.message).toBe('join the channel to post in it');
        expect((await expectAppError(guarded(secret.id, bob), 'NOT_FOUND')).message).toBe('channel not found');
        await expectAppError(guarded('no-such-channel', ada), 'NOT_FOUND');
        // A retry of an earlier send is refused too once the author may no longer post.
        await guarded(dev.id, ada, 'before-archive');
        await chat.archive(dev.id);
        expect((await expectAppError(guarded(dev.id, ada), 'FORBIDDEN')).message).toMatch(/archived/);
        expect((await expectAppError(guarded(dev.id, ada, 'before-archive'), 'FORBIDDEN')).message).toMatch(/archived/);
        // Refused sends took no offset: the stream is the join, two messages and the archive.
        expect(await offsetsAfter(dev.id)).toEqual([1, 2, 3, 4]);
        expect(await offsetsAfter(secret.id)).toEqual([1]);
      });

      it('checkPostAccess: a send racing a leave is refused, or lands before the leave, never after', async () => {
        const dev = await createChannel('dev', ada);
        await chat.join(dev.id, bob.id);
        const [left, sent] = await Promise.allSettled([
          chat.leave(dev.id, bob.id),
          chat.sendMessage({ channelId: dev.id, authorId: bob.id, content: 'racing', checkPostAccess: true }),
        ]);
        expect(left.status).toBe('fulfilled');
        const events = await chat.eventsAfter(dev.id, 0, 100);
        const leftAt = events.find((e) => e.change.type === 'member.left')?.offset ?? 0;
        expect(leftAt).toBeGreaterThan(0);
        if (sent.status === 'fulfilled') expect(sent.value.event?.offset).toBeLessThan(leftAt);
        else expect(sent.reason).toMatchObject({ code: 'FORBIDDEN' });
        expect(events.map((e) => e.offset)).toEqual(events.map((_, i) => i + 1));
      });

      it('sendMessage is idempotent on clientId: same message, no event, no new offset', async () => {
        const dev = await createChannel('dev', ada);
        const first = await send(dev.id, ada, 'hello', 'retry-1');
        const again = await send(dev.id, ada, 'hello (retried)', 'retry-1');
        expect(again.event).toBeNull();
        expect(again.message).toEqual(first.message);
        expect(await head(dev.id)).toBe(2);
        expect((await chat.history(dev.id, { limit: 10 })).items).toHaveLength(1);
      });

      it('treats the same clientId from another author, or in another channel, as a new message', async () => {
        const dev = await createChannel('dev', ada);
        const ops = await createChannel('ops', ada);
        await chat.join(dev.id, bob.id);
        const fromAda = await send(dev.id, ada, 'hello', 'same');
        const fromBob = await send(dev.id, bob, 'hello', 'same');
        const elsewhere = await send(ops.id, ada, 'hello', 'same');
        expect(fromBob.message.id).not.toBe(fromAda.message.id);
        expect(fromBob.event?.offset).toBe((fromAda.event?.offset ?? 0) + 1);
        expect(elsewhere.message.id).not.toBe(fromAda.message.id);
        expect(elsewhere.event).not.toBeNull();
      });

      it('is idempotent on clientId for author-less messages too', async () => {
        const dev = await createChannel('dev', ada);
        const first = await send(dev.id, null, 'welcome', 'sys-1');
        const again = await send(dev.id, null, 'welcome', 'sys-1');
        expect(again).toEqual({ message: first.message, event: null });
      });

      it('sends without a clientId are never deduplicated', async () => {
        const dev = await createChannel('dev', ada);
        const a = await send(dev.id, ada, 'same text');
        const b = await send(dev.id, ada, 'same text');
        expect(b.message.id).not.toBe(a.message.id);
        expect(b.event).not.toBeNull();
      });

      it('history pages newest first with a cursor; the last page has no cursor', async () => {
        const dev = await createChannel('dev', ada);
        const other = await createChannel('other', ada);
        await send(other.id, ada, 'elsewhere');
        const sent: string[] = [];
        for (let i = 1; i <= 5; i++) sent.push((await send(dev.id, ada, `m${i}`)).message.id);
        const eventId = formatEventId(chat.epoch(), await head(dev.id));

        const page1 = await chat.history(dev.id, { limit: 2 });
        expect(page1.items.map((m) => m.content)).toEqual(['m5', 'm4']);
        expect(page1.nextCursor).toBe(page1.items[1]?.seq);
        expect(page1.eventId).toBe(eventId);

        const page2 = await chat.history(dev.id, { before: page1.nextCursor ?? undefined, limit: 2 });
        expect(page2.items.map((m) => m.content)).toEqual(['m3', 'm2']);
        expect(page2.nextCursor).toBe(page2.items[1]?.seq);

        const page3 = await chat.history(dev.id, { before: page2.nextCursor ?? undefined, limit: 2 });
        expect(page3.items.map((m) => m.content)).toEqual(['m1']);
        expect(page3.nextCursor).toBeNull();

        expect([...page1.items, ...page2.items, ...page3.items].map((m) => m.id)).toEqual([...sent].reverse());
      });

      it('history gives no cursor when the last page is exactly full', async () => {
        const dev = await createChannel('dev', ada);
        for (let i = 1; i <= 4; i++) await send(dev.id, ada, `m${i}`);
        const page1 = await chat.history(dev.id, { limit: 2 });
        const page2 = await chat.history(dev.id, { before: page1.nextCursor ?? undefined, limit: 2 });
        expect(page2.items.map((m) => m.content)).toEqual(['m2', 'm1']);
        expect(page2.nextCursor).toBeNull();
        expect((await chat.history(dev.id, { limit: 4 })).nextCursor).toBeNull();
      });

      it('history of an empty channel is empty, with the current position', async () => {
        const dev = await createChannel('dev', ada);
        expect(await chat.history(dev.id, { limit: 50 })).toEqual({
          items: [],
          nextCursor: null,
          eventId: formatEventId(chat.epoch(), 1),
        });
      });

      it('history eventId lets a subscriber resume without missing anything', async () => {
        const dev = await createChannel('dev', ada);
        await send(dev.id, ada, 'before');
        const { eventId } = await chat.history(dev.id, { limit: 50 });
        const after = await send(dev.id, bob, 'after');
        const plan = planResume(eventId, await chat.streamInfo(dev.id));
        expect(plan).toEqual({ kind: 'replay', after: 2 });
        if (plan.kind !== 'replay') throw new Error('expected replay');
        expect(await chat.eventsAfter(dev.id, plan.after, 100)).toEqual([after.event]);
      });

      it('editMessage with `edited` changes the content, sets editedAt and appends message.updated', async () => {
        const dev = await createChannel('dev', ada);
        const { message: original } = await send(dev.id, ada, 'helo');
        const { message, event } = await chat.editMessage(original.id, { content: 'hello', edited: true });
        expect(message).toEqual({ ...original, content: 'hello', editedAt: expect.any(String) });
        expect(event).toEqual({ channelId: dev.id, offset: 3, change: { type: 'message.updated', message } });
        expect(await chat.messageById(original.id)).toEqual(message);
      });

      it('editMessage without `edited` (a finished stream) leaves editedAt unset', async () => {
        const dev = await createChannel('dev', ada);
        const { message: reply } = await chat.sendMessage({
          channelId: dev.id,
          authorId: null,
          content: '',
          role: 'assistant',
          status: 'streaming',
        });
        const { message } = await chat.editMessage(reply.id, { content: 'the answer', status: 'complete' });
        expect(message).toMatchObject({ content: 'the answer', status: 'complete', editedAt: null });
      });

      it('editMessage merges meta into the stored meta', async () => {
        const dev = await createChannel('dev', ada);
        const { message: original } = await chat.sendMessage({
          channelId: dev.id,
          authorId: ada.id,
          content: 'x',
          meta: { lane: 'research', provider: 'offline' },
        });
        const { message } = await chat.editMessage(original.id, { meta: { tokenCount: 42, provider: 'openai' } });
        expect(message.meta).toEqual({ lane: 'research', provider: 'openai', tokenCount: 42 });
        expect(message.content).toBe('x');
        const { message: plain } = await send(dev.id, ada, 'no meta yet');
        expect((await chat.editMessage(plain.id, { meta: { lane: 'b' } })).message.meta).toEqual({ lane: 'b' });
      });

      it('deleteMessage removes the message and appends message.deleted', async () => {
        const dev = await createChannel('dev', ada);
        const { message: keep } = await send(dev.id, ada, 'keep');
        const { message: gone } = await send(dev.id, ada, 'gone');
        const { event } = await chat.deleteMessage(gone.id);
        expect(event).toEqual({
          channelId: dev.id,
          offset: 4,
          change: { type: 'message.deleted', messageId: gone.id },
        });
        expect(await chat.messageById(gone.id)).toBeNull();
        expect((await chat.history(dev.id, { limit: 10 })).items.map((m) => m.id)).toEqual([keep.id]);
        await expectAppError(chat.deleteMessage(gone.id), 'NOT_FOUND');
      });
    });

    describe('eventsAfter', () => {
      it('returns the events after an offset, oldest first, at most `limit`', async () => {
        const dev = await createChannel('dev', ada);
        const sent = [];
        for (let i = 1; i <= 5; i++) sent.push((await send(dev.id, ada, `m${i}`)).event);
        expect(await chat.eventsAfter(dev.id, 2, 2)).toEqual([sent[1], sent[2]]);
        expect((await chat.eventsAfter(dev.id, 0, 100)).map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(await chat.eventsAfter(dev.id, 6, 100)).toEqual([]);
      });

      it('replays member and channel events exactly as they were returned', async () => {
        const { channel, events } = await chat.createChannel({
          slug: 'dev',
          name: 'Dev',
          visibility: 'public',
          createdBy: ada.id,
        });
        const joined = await chat.join(channel.id, bob.id);
        const left = await chat.leave(channel.id, bob.id);
        const archived = await chat.archive(channel.id);
        expect(await chat.eventsAfter(channel.id, 0, 100)).toEqual([...events, joined, left, archived.event]);
      });

      it('hydrates message events with the current message', async () => {
        const dev = await createChannel('dev', ada);
        const { message } = await send(dev.id, ada, 'first draft');
        await chat.editMessage(message.id, { content: 'second draft', edited: true });
        const { message: current } = await chat.editMessage(message.id, { content: 'final', edited: true });
        const events = await chat.eventsAfter(dev.id, 1, 100);
        expect(events.map((e) => e.change.type)).toEqual(['message.created', 'message.updated', 'message.updated']);
        for (const event of events) expect(event.change).toMatchObject({ message: current });
      });

      it('drops the created/updated events of a deleted message but keeps its message.deleted', async () => {
        const dev = await createChannel('dev', ada);
        const { message: kept } = await send(dev.id, ada, 'kept');
        const { message: doomed } = await send(dev.id, ada, 'doomed');
        await chat.editMessage(doomed.id, { content: 'doomed, edited', edited: true });
        await chat.deleteMessage(doomed.id);
        const events = await chat.eventsAfter(dev.id, 1, 100);
        expect(events).toEqual([
          { channelId: dev.id, offset: 2, change: { type: 'message.created', message: kept } },
          { channelId: dev.id, offset: 5, change: { type: 'message.deleted', messageId: doomed.id } },
        ]);
      });

      it('fills a page past dropped events, so a short page means the end of the stream', async () => {
        const dev = await createChannel('dev', ada);
        const { message: doomed } = await send(dev.id, ada, 'doomed'); // 2
        await chat.editMessage(doomed.id, { content: 'doomed!', edited: true }); // 3
        await chat.deleteMessage(doomed.id); // 4
        await send(dev.id, ada, 'a'); // 5
        await send(dev.id, ada, 'b'); // 6
        // Offsets 2 and 3 are dropped; a reader paging by 2 must still see 4 and 5 first.
        expect((await chat.eventsAfter(dev.id, 1, 2)).map((e) => e.offset)).toEqual([4, 5]);
        expect((await chat.eventsAfter(dev.id, 5, 2)).map((e) => e.offset)).toEqual([6]);

        // Paging until a short page arrives reads the whole stream.
        const seen: number[] = [];
        let after = 0;
        for (;;) {
          const page = await chat.eventsAfter(dev.id, after, 2);
          seen.push(...page.map((e) => e.offset));
          after = page.at(-1)?.offset ?? after;
          if (page.length < 2) break;
        }
        expect(seen).toEqual([1, 4, 5, 6]);
      });

      it('keeps the streams of channels apart', async () => {
        const a = await createChannel('a', ada);
        const b = await createChannel('b', bob);
        await send(a.id, ada, 'in a');
        await send(b.id, bob, 'in b');
        const inA = await chat.eventsAfter(a.id, 0, 100);
        expect(inA.every((e) => e.channelId === a.id)).toBe(true);
        expect(inA.flatMap((e) => (e.change.type === 'message.created' ? [e.change.message.content] : []))).toEqual([
          'in a',
        ]);
      });
    });

    describe('unknown ids', () => {
      it('answer null from the lookups', async () => {
        expect(await chat.channelById('no-such-channel')).toBeNull();
        expect(await chat.channelBySlug('no-such-slug')).toBeNull();
        expect(await chat.messageById('no-such-message')).toBeNull();
        const general = await chat.channelBySlug('general');
        expect(await chat.membership(general?.id ?? '', ada.id)).toBeNull();
      });

      it('answer AppError NOT_FOUND from the writes and stream reads', async () => {
        const dev = await createChannel('dev', ada);
        await expectAppError(chat.join('no-such-channel', ada.id), 'NOT_FOUND');
        await expectAppError(chat.archive('no-such-channel'), 'NOT_FOUND');
        await expectAppError(send('no-such-channel', ada, 'hi'), 'NOT_FOUND');
        await expectAppError(send('no-such-channel', ada, 'hi', 'client-1'), 'NOT_FOUND');
        await expectAppError(chat.editMessage('no-such-message', { content: 'x', edited: true }), 'NOT_FOUND');
        await expectAppError(chat.deleteMessage('no-such-message'), 'NOT_FOUND');
        await expectAppError(chat.history('no-such-channel', { limit: 10 }), 'NOT_FOUND');
        await expectAppError(chat.streamInfo('no-such-channel'), 'NOT_FOUND');
        // Nothing was written to the real channel along the way.
        expect(await head(dev.id)).toBe(1);
      });

      it('answer NOT_FOUND for an unknown user, and write nothing', async () => {
        const dev = await createChannel('dev', ada);
        await expectAppError(chat.join(dev.id, 'no-such-user'), 'NOT_FOUND');
        expect(await head(dev.id)).toBe(1);
        expect((await chat.members(dev.id)).map((m) => m.userId)).toEqual([ada.id]);
        await expectAppError(
          chat.createChannel({ slug: 'ghost', name: 'Ghost', visibility: 'public', createdBy: 'no-such-user' }),
          'NOT_FOUND',
        );
        expect(await chat.channelBySlug('ghost')).toBeNull();
      });

      it('a failing send among concurrent ones fails alone: the others keep gap-free offsets', async () => {
        const dev = await createChannel('dev', ada);
        // Sent in the same turn (SQLite commits them as one batch); the middle one fails after its
        // offset was taken (its meta cannot be serialized), so that offset must be given back.
        const [first, broken, last] = await Promise.allSettled([
          send(dev.id, ada, 'first'),
          chat.sendMessage({
            channelId: dev.id,
            authorId: ada.id,
            content: 'unstorable',
            // A value JSON cannot hold, as a buggy caller might pass one.
            meta: { tokenCount: 1n as unknown as number },
          }),
          send(dev.id, bob, 'last'),
        ]);
        expect(broken.status).toBe('rejected');
        expect(first.status === 'fulfilled' && first.value.event?.offset).toBe(2);
        expect(last.status === 'fulfilled' && last.value.event?.offset).toBe(3);
        expect(await offsetsAfter(dev.id)).toEqual([1, 2, 3]);
        expect((await chat.history(dev.id, { limit: 10 })).items.map((m) => m.content)).toEqual(['last', 'first']);
      });

      it('a failing send on its own leaves nothing behind: the next one takes the offset it had', async () => {
        const dev = await createChannel('dev', ada);
        await expect(
          chat.sendMessage({
            channelId: dev.id,
            authorId: ada.id,
            content: 'unstorable',
            meta: { tokenCount: 1n as unknown as number },
          }),
        ).rejects.toThrow();
        const { event } = await send(dev.id, ada, 'next');
        expect(event?.offset).toBe(2);
        expect(await offsetsAfter(dev.id)).toEqual([1, 2]);
        expect((await chat.history(dev.id, { limit: 10 })).items.map((m) => m.content)).toEqual(['next']);
      });
    });

    const { makeStoresWithRetention } = options;
    if (makeStoresWithRetention) {
      describe('retention', () => {
        it('prunes old events once a channel has far more than `retention`, keeping messages', async () => {
          const small = await makeStoresWithRetention(100);
          try {
            const owner = await makeUser(small.users, 'owner');
            const { channel } = await small.chat.createChannel({
              slug: 'busy',
              name: 'Busy',
              visibility: 'public',
              createdBy: owner.id,
            });
            const { channel: quiet } = await small.chat.createChannel({
              slug: 'quiet',
              name: 'Quiet',
              visibility: 'public',
              createdBy: owner.id,
            });
            const ids: string[] = [];
            for (let i = 1; i <= 250; i++) {
              ids.push(
                (await small.chat.sendMessage({ channelId: channel.id, authorId: owner.id, content: `#${i}` })).message
                  .id,
              );
            }
            const info = await small.chat.streamInfo(channel.id);
            expect(info.head).toBe(251);
            expect(info.oldestRetained).toBeGreaterThan(1);
            // At least `retention` events are kept, and the retained ones are gap-free up to the head.
            expect(info.head - info.oldestRetained + 1).toBeGreaterThanOrEqual(100);
            const offsets = (await small.chat.eventsAfter(channel.id, 0, 1_000)).map((e) => e.offset);
            expect(offsets[0]).toBe(info.oldestRetained);
            expect(offsets).toEqual(
              Array.from({ length: info.head - info.oldestRetained + 1 }, (_, i) => i + info.oldestRetained),
            );
            expect(offsets).not.toContain(1);
            // A resume from before the retained window must reset; from its edge it replays.
            const epoch = small.chat.epoch();
            expect(planResume(formatEventId(epoch, 0), info)).toEqual({ kind: 'reset' });
            expect(planResume(formatEventId(epoch, info.oldestRetained - 1), info)).toEqual({
              kind: 'replay',
              after: info.oldestRetained - 1,
            });
            // Messages are not pruned with their events.
            expect((await small.chat.messageById(ids[0] ?? ''))?.content).toBe('#1');
            const all = await small.chat.history(channel.id, { limit: 1_000 });
            expect(all.items).toHaveLength(250);
            // Other channels keep their whole stream.
            expect(await small.chat.streamInfo(quiet.id)).toMatchObject({ head: 1, oldestRetained: 1 });
          } finally {
            await small.close();
          }
        });
      });
    }
  });
}
