/**
 * People: the user stream (user.onEvent), invites, direct conversations,
 * read positions and mentions, over real sockets; on SQLite with one
 * instance, and on PostgreSQL + Redis with two (the stream on one, the
 * actions on the other).
 */
import { randomBytes } from 'node:crypto';
import type { HubbubClient } from '@hubbub/client';
import { TestDatabases } from '@hubbub/db/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBackends } from './test/cluster';
import { startTestServer, type TestServer } from './test/harness';
import { type Received, recordUser } from './test/stream';

const backends = await probeBackends();
if (!backends.reachable) console.warn(`the PostgreSQL + Redis people tests are skipped: ${backends.reason}`);

const ofType = (events: Received[], type: string) => events.filter((e) => e.data.type === type);
const has =
  (type: string, match: (data: Received['data']) => boolean = () => true) =>
  (events: Received[]) =>
    events.some((e) => e.data.type === type && match(e.data));

interface Setup {
  /** Where actions happen, and where the watched user's stream is open (another instance in a cluster). */
  acting: TestServer;
  watching: TestServer;
}

function peopleSuite(name: string, start: () => Promise<Setup>, stop: (setup: Setup) => Promise<void>) {
  describe(name, () => {
    let setup: Setup;
    let people = 0;
    beforeAll(async () => {
      setup = await start();
    }, 60_000);
    afterAll(async () => {
      if (setup) await stop(setup);
    }, 30_000);

    /** A new person: their client on the acting instance and on the watching one. */
    async function person() {
      const signed = await setup.acting.signup(`person${++people}${randomBytes(2).toString('hex')}`);
      return {
        ...signed,
        acts: setup.acting.client(signed.token),
        watches: setup.watching.client(signed.token),
      };
    }
    type Person = Awaited<ReturnType<typeof person>>;

    /**
     * The person's stream on the watching instance, from the start of their stream, once it is live: a
     * stored change of theirs made after subscribing has come through (so live signals will too).
     */
    async function liveStream(who: Person, client: HubbubClient = who.watches) {
      const { items } = await who.acts.api.channel.list.query();
      const general = items.find((c) => c.slug === 'general') as { id: string };
      const { eventId } = await who.acts.api.message.history.query({ channelId: general.id, limit: 1 });
      const stream = recordUser(client, `${eventId.slice(0, eventId.lastIndexOf(':'))}:0`);
      const sync = await who.acts.api.channel.create.mutate({
        slug: slug('sync'),
        name: 'Sync',
        visibility: 'private',
      });
      await stream.until(has('channel.joined', (d) => (d.channel as { id: string }).id === sync.id));
      return stream;
    }
    const slug = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

    it('tells a person at once that they were invited into a private channel, and no one else', async () => {
      const [ada, bob, cy] = [await person(), await person(), await person()];
      const bobStream = await liveStream(bob);
      const cyStream = await liveStream(cy);
      const room = await ada.acts.api.channel.create.mutate({
        slug: slug('room'),
        name: 'Room',
        visibility: 'private',
      });
      const invited = await ada.acts.api.channel.invite.mutate({ channelId: room.id, userIds: [bob.user.id] });
      expect(invited.added).toEqual([bob.user.id]);
      await bobStream.until(has('channel.joined', (d) => (d.channel as { id: string }).id === room.id));
      const joined = ofType(bobStream.events, 'channel.joined').find(
        (e) => (e.data.channel as { id: string }).id === room.id,
      )?.data;
      expect(joined).toMatchObject({ by: ada.user.id, channel: { id: room.id, visibility: 'private' } });
      expect((await bob.acts.api.channel.list.query()).items.map((c) => c.id)).toContain(room.id);

      // Cy hears nothing of it (cy's own later change shows cy's stream kept going meanwhile).
      const cyRoom = await cy.acts.api.channel.create.mutate({ slug: slug('cy'), name: 'Cy', visibility: 'private' });
      await cyStream.until(has('channel.joined', (d) => (d.channel as { id: string }).id === cyRoom.id));
      expect(cyStream.events.some((e) => JSON.stringify(e.data).includes(room.id))).toBe(false);
      bobStream.stop();
      cyStream.stop();
    });

    it('counts unread messages and mentions live, shares a read position across tabs, and resumes', async () => {
      const [ada, bob] = [await person(), await person()];
      const room = await ada.acts.api.channel.create.mutate({
        slug: slug('count'),
        name: 'Count',
        visibility: 'private',
      });
      await ada.acts.api.channel.invite.mutate({ channelId: room.id, userIds: [bob.user.id] });
      const tab1 = await liveStream(bob);
      const tab2 = await liveStream(bob, setup.watching.client(bob.token));

      await ada.acts.api.message.send.mutate({ channelId: room.id, content: 'hello' });
      const mention = await ada.acts.api.message.send.mutate({
        channelId: room.id,
        content: `look @${bob.user.handle}`,
      });
      expect(mention.meta?.mentions).toEqual([bob.user.id]);
      for (const tab of [tab1, tab2]) {
        await tab.until(has('channel.unread', (d) => d.channelId === room.id && d.unread === 2 && d.mentions === 1));
        await tab.until(has('mention', (d) => (d.message as { id: string }).id === mention.id));
      }
      const listed = (await bob.acts.api.channel.list.query()).items.find((c) => c.id === room.id);
      expect(listed).toMatchObject({ unread: 2, mentions: 1 });

      // Read on one tab: both tabs hear it (stored), and the counts go to zero.
      await bob.acts.api.channel.markRead.mutate({ channelId: room.id, messageId: mention.id });
      for (const tab of [tab1, tab2]) {
        await tab.until(has('channel.read', (d) => d.channelId === room.id && d.unread === 0 && d.mentions === 0));
      }
      expect((await bob.acts.api.channel.list.query()).items.find((c) => c.id === room.id)).toMatchObject({
        unread: 0,
        mentions: 0,
      });

      // A stream resumed from an earlier id gets exactly the stored changes after it, none before.
      const readEvent = tab1.events.find((e) => e.data.type === 'channel.read') as Received;
      const lastBefore = tab1.events[tab1.events.indexOf(readEvent) - 1]?.id ?? readEvent.id;
      tab1.stop();
      tab2.stop();
      await ada.acts.api.channel.removeMember.mutate({ channelId: room.id, userId: bob.user.id });
      const resumed = recordUser(setup.watching.client(bob.token), lastBefore);
      await resumed.until(has('channel.left', (d) => d.channelId === room.id && d.by === ada.user.id));
      const stored = resumed.events.filter((e) =>
        ['channel.joined', 'channel.read', 'channel.left'].includes(e.data.type),
      );
      expect(stored.map((e) => e.data.type)).toEqual(['channel.read', 'channel.left']);
      resumed.stop();
      expect((await bob.acts.api.channel.list.query()).items.map((c) => c.id)).not.toContain(room.id);
    });

    it('opens one direct conversation for a pair, tells both, and carries its messages as direct messages', async () => {
      const [ada, bob] = [await person(), await person()];
      const bobStream = await liveStream(bob);
      const dm = await ada.acts.api.dm.open.mutate({ userIds: [bob.user.id] });
      expect(dm).toMatchObject({ kind: 'dm', visibility: 'private', memberCount: 2 });
      expect((await bob.acts.api.dm.open.mutate({ userIds: [ada.user.id] })).id).toBe(dm.id);
      await bobStream.until(has('channel.joined', (d) => (d.channel as { id: string }).id === dm.id));
      const sent = await ada.acts.api.message.send.mutate({ channelId: dm.id, content: 'just us' });
      await bobStream.until(has('direct.message', (d) => (d.message as { id: string }).id === sent.id));
      const listed = (await bob.acts.api.channel.list.query()).items.find((c) => c.id === dm.id);
      expect(listed?.people?.map((p) => p.userId).sort()).toEqual([ada.user.id, bob.user.id].sort());

      // Bob leaves it; Ada writing to him again opens the same conversation, with Bob back in it and told.
      await bob.acts.api.channel.leave.mutate({ channelId: dm.id });
      expect((await bob.acts.api.channel.list.query()).items.map((c) => c.id)).not.toContain(dm.id);
      const joinedBefore = ofType(bobStream.events, 'channel.joined').length;
      expect((await ada.acts.api.dm.open.mutate({ userIds: [bob.user.id] })).id).toBe(dm.id);
      await bobStream.until((events) => ofType(events, 'channel.joined').length > joinedBefore);
      expect((await bob.acts.api.message.history.query({ channelId: dm.id })).items[0]?.content).toBe('just us');
      bobStream.stop();
    });

    it('shows a new public channel in everyone’s list live', async () => {
      const [ada, bob] = [await person(), await person()];
      const bobStream = await liveStream(bob);
      const open = await ada.acts.api.channel.create.mutate({ slug: slug('pub'), name: 'Pub' });
      await bobStream.until(has('channel.updated', (d) => (d.channel as { id: string }).id === open.id));
      bobStream.stop();
    });
  });
}

peopleSuite(
  'people on SQLite (one instance)',
  async () => {
    const server = await startTestServer();
    return { acting: server, watching: server };
  },
  async ({ acting }) => acting.stop(),
);

const databases = new TestDatabases();
describe.skipIf(!backends.reachable)('with PostgreSQL + Redis', () => {
  afterAll(() => databases.dropAll());
  peopleSuite(
    'people on PostgreSQL + Redis (two instances)',
    async () => {
      const database = await databases.fresh();
      const prefix = `hubbub-people-${randomBytes(4).toString('hex')}`;
      const shared = {
        postgres: { url: database.url, poolSize: 4 },
        redis: { url: 'redis://127.0.0.1:6379', prefix },
        secret: randomBytes(32).toString('hex'),
      };
      const acting = await startTestServer(shared);
      const watching = await startTestServer(shared);
      return { acting, watching };
    },
    async ({ acting, watching }) => {
      await watching.stop();
      await acting.stop();
    },
  );
});
