import type { AttachmentStore, NewAttachment } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids';
import { expectAppError, makeUser, type StoresUnderTest } from './stores-harness';

/** Resolves once the clock has moved on to the next millisecond (upload order is by time). */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

export type MakeAttachmentStores = () => Promise<StoresUnderTest & { attachments: AttachmentStore }>;

/** The AttachmentStore, and the ChatStore's side of it: sends that attach uploads, reads that carry them. */
export function attachmentStoreContract(name: string, makeStores: MakeAttachmentStores): void {
  describe(name, () => {
    let stores: StoresUnderTest & { attachments: AttachmentStore };
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });

    const setUp = async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const make = async (handle: string) =>
        (await stores.chat.createChannel({ slug: `f${handle}`, name: 'F', visibility: 'public', createdBy: ada.id }))
          .channel;
      const channel = await make(ada.handle);
      const other = await make(`${ada.handle}x`);
      await stores.chat.join(channel.id, bob.id);
      return { ada, bob, channel, other };
    };
    const upload = (input: Partial<NewAttachment> & Pick<NewAttachment, 'channelId' | 'uploaderId'>) =>
      stores.attachments.create({ id: newId(), name: 'cat.png', contentType: 'image/png', size: 1234, ...input });

    it('records a pending upload with what was sniffed, and reads it back by id', async () => {
      const { ada, channel } = await setUp();
      const created = await upload({
        channelId: channel.id,
        uploaderId: ada.id,
        width: 640,
        height: 480,
        thumbnail: true,
      });
      expect(created).toMatchObject({
        name: 'cat.png',
        contentType: 'image/png',
        size: 1234,
        width: 640,
        height: 480,
        thumbnail: true,
        channelId: channel.id,
        uploaderId: ada.id,
        messageId: null,
      });
      expect(await stores.attachments.byId(created.id)).toEqual(created);
      const plain = await upload({
        channelId: channel.id,
        uploaderId: ada.id,
        name: 'notes.txt',
        contentType: 'text/plain',
      });
      // A file that is not an image carries no pixel size and no thumbnail flag at all.
      expect(plain).not.toHaveProperty('width');
      expect(plain).not.toHaveProperty('thumbnail');
      expect(await stores.attachments.byId('no-such-file')).toBeNull();
    });

    it('a send attaches the uploads: the message, its event, history, replay and ofMessages carry them in upload order', async () => {
      const { ada, channel } = await setUp();
      const first = await upload({ channelId: channel.id, uploaderId: ada.id, width: 2, height: 1, thumbnail: true });
      await nextMillisecond();
      const second = await upload({
        channelId: channel.id,
        uploaderId: ada.id,
        name: 'a.pdf',
        contentType: 'application/pdf',
      });
      const head = (await stores.chat.streamInfo(channel.id)).head;
      const { message, event } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: '',
        attachmentIds: [second.id, first.id],
        checkPostAccess: true,
      });
      const expected = [
        { id: first.id, name: 'cat.png', contentType: 'image/png', size: 1234, width: 2, height: 1, thumbnail: true },
        { id: second.id, name: 'a.pdf', contentType: 'application/pdf', size: 1234 },
      ];
      expect(message.content).toBe('');
      expect(message.attachments).toEqual(expected);
      expect(event?.change).toEqual({ type: 'message.created', message });
      expect((await stores.chat.messageById(message.id))?.attachments).toEqual(expected);
      expect((await stores.chat.history(channel.id, { limit: 10 })).items.at(-1)?.attachments).toEqual(expected);
      const replayed = await stores.chat.eventsAfter(channel.id, head, 10);
      expect(replayed.map((e) => e.change)).toEqual([{ type: 'message.created', message }]);
      expect(await stores.attachments.ofMessages([message.id, 'other'])).toEqual(new Map([[message.id, expected]]));
      expect((await stores.attachments.byId(first.id))?.messageId).toBe(message.id);
    });

    it('refuses uploads of someone else, of another channel, already sent or unknown, and stores nothing', async () => {
      const { ada, bob, channel, other } = await setUp();
      const bobs = await upload({ channelId: channel.id, uploaderId: bob.id });
      const elsewhere = await upload({ channelId: other.id, uploaderId: ada.id });
      const sent = await upload({ channelId: channel.id, uploaderId: ada.id });
      await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'x',
        attachmentIds: [sent.id],
      });
      const mine = await upload({ channelId: channel.id, uploaderId: ada.id });
      const head = (await stores.chat.streamInfo(channel.id)).head;
      for (const refused of [bobs.id, elsewhere.id, sent.id, 'no-such-file']) {
        await expectAppError(
          stores.chat.sendMessage({
            channelId: channel.id,
            authorId: ada.id,
            content: 'with files',
            attachmentIds: [mine.id, refused],
          }),
          'BAD_REQUEST',
        );
      }
      expect((await stores.chat.streamInfo(channel.id)).head).toBe(head);
      // The good upload of a refused send is still pending, free for the next send.
      expect((await stores.attachments.byId(mine.id))?.messageId).toBeNull();
      const { message } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'again',
        attachmentIds: [mine.id],
      });
      expect(message.attachments?.map((a) => a.id)).toEqual([mine.id]);
    });

    it('a retried send (same clientId) returns the message with its attachments and attaches nothing more', async () => {
      const { ada, channel } = await setUp();
      const file = await upload({ channelId: channel.id, uploaderId: ada.id });
      const send = {
        channelId: channel.id,
        authorId: ada.id,
        content: 'once',
        clientId: 'c1',
        attachmentIds: [file.id],
      };
      const first = await stores.chat.sendMessage(send);
      const retry = await stores.chat.sendMessage(send);
      expect(retry.event).toBeNull();
      expect(retry.message.attachments).toEqual(first.message.attachments);
    });

    it('deleteByMessages removes the rows of those messages and returns them', async () => {
      const { ada, channel } = await setUp();
      const file = await upload({ channelId: channel.id, uploaderId: ada.id });
      const { message } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'bye',
        attachmentIds: [file.id],
      });
      expect(await stores.attachments.deleteByMessages([])).toEqual([]);
      const removed = await stores.attachments.deleteByMessages([message.id]);
      expect(removed.map((a) => [a.id, a.messageId])).toEqual([[file.id, message.id]]);
      expect(await stores.attachments.byId(file.id)).toBeNull();
      expect((await stores.chat.messageById(message.id))?.attachments).toBeUndefined();
    });

    it('removeStale takes pending uploads made before the time and rows whose message is gone, nothing else', async () => {
      const { ada, channel } = await setUp();
      const old = await upload({ channelId: channel.id, uploaderId: ada.id });
      const kept = await upload({ channelId: channel.id, uploaderId: ada.id });
      const orphan = await upload({ channelId: channel.id, uploaderId: ada.id });
      const { message: keeper } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'keeps its file',
        attachmentIds: [kept.id],
      });
      const { message: gone } = await stores.chat.sendMessage({
        channelId: channel.id,
        authorId: ada.id,
        content: 'deleted without its files',
        attachmentIds: [orphan.id],
      });
      await stores.chat.deleteMessage(gone.id);
      const fresh = await upload({ channelId: channel.id, uploaderId: ada.id });
      const removed = await stores.attachments.removeStale(fresh.createdAt);
      expect(removed.map((a) => a.id).sort()).toEqual([old.id, orphan.id].sort());
      expect(await stores.attachments.byId(fresh.id)).not.toBeNull();
      expect((await stores.chat.messageById(keeper.id))?.attachments?.map((a) => a.id)).toEqual([kept.id]);
      expect(await stores.attachments.removeStale(fresh.createdAt)).toEqual([]);
    });
  });
}
