import type { ChatStore, NotificationStore, User, UserStore, VapidKeys } from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeUser } from './stores-harness';

interface NotificationStoresUnderTest {
  users: UserStore;
  chat: ChatStore;
  notifications: NotificationStore;
  close(): Promise<void>;
}

interface Options {
  /** Two stores on one database, as two instances of a cluster (or two processes on one SQLite file) have. */
  makeTwoInstances?: () => Promise<[NotificationStoresUnderTest, NotificationStoresUnderTest]>;
}

let counter = 0;
const subscription = (userId: string, name = `browser-${++counter}`) => ({
  endpoint: `https://push.example.com/send/${name}`,
  userId,
  p256dh: `p256dh-of-${name}`,
  auth: `auth-of-${name}`,
});
const keys = (name: string): VapidKeys => ({ publicKey: `public-${name}`, privateKey: `private-${name}` });
const KEEP = { keepPerUser: 10 };

/** The NotificationStore contract: run it against every implementation. */
export function notificationStoreContract(
  name: string,
  makeStores: () => Promise<NotificationStoresUnderTest>,
  options: Options = {},
): void {
  describe(name, () => {
    let stores: NotificationStoresUnderTest;
    beforeEach(async () => {
      stores = await makeStores();
    });
    afterEach(async () => {
      await stores.close();
    });
    const endpointsOf = async (user: User) =>
      (await stores.notifications.subscriptionsOf(user.id)).map((s) => s.endpoint).sort();

    it('stores a subscription, updates it in place, and moves an endpoint to whoever subscribed last', async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const first = subscription(ada.id, 'laptop');
      await stores.notifications.saveSubscription(first, KEEP);
      expect(await stores.notifications.subscriptionsOf(ada.id)).toEqual([{ ...first, createdAt: expect.any(String) }]);
      await stores.notifications.saveSubscription({ ...first, p256dh: 'rotated', auth: 'rotated-auth' }, KEEP);
      expect(await stores.notifications.subscriptionsOf(ada.id)).toEqual([
        { ...first, p256dh: 'rotated', auth: 'rotated-auth', createdAt: expect.any(String) },
      ]);
      // The same browser, now signed in as Bob.
      await stores.notifications.saveSubscription({ ...first, userId: bob.id }, KEEP);
      expect(await endpointsOf(ada)).toEqual([]);
      expect(await endpointsOf(bob)).toEqual([first.endpoint]);
    });

    it("removes a person's own subscription and never someone else's; forgets a gone one whoever had it", async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const adas = subscription(ada.id);
      const bobs = subscription(bob.id);
      await stores.notifications.saveSubscription(adas, KEEP);
      await stores.notifications.saveSubscription(bobs, KEEP);
      expect(await stores.notifications.removeSubscription(bobs.endpoint, ada.id)).toBe(false);
      expect(await endpointsOf(bob)).toEqual([bobs.endpoint]);
      expect(await stores.notifications.removeSubscription(adas.endpoint, ada.id)).toBe(true);
      expect(await stores.notifications.removeSubscription(adas.endpoint, ada.id)).toBe(false);
      expect(await endpointsOf(ada)).toEqual([]);
      await stores.notifications.forgetSubscription(bobs.endpoint);
      await stores.notifications.forgetSubscription('https://push.example.com/never-stored');
      expect(await endpointsOf(bob)).toEqual([]);
    });

    it("keeps at most keepPerUser subscriptions per person, the newest one always among them, others' untouched", async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      const bobs = subscription(bob.id);
      await stores.notifications.saveSubscription(bobs, { keepPerUser: 3 });
      const saved: string[] = [];
      for (let i = 0; i < 5; i++) {
        const sub = subscription(ada.id);
        saved.push(sub.endpoint);
        await stores.notifications.saveSubscription(sub, { keepPerUser: 3 });
        const kept = await endpointsOf(ada);
        expect(kept).toHaveLength(Math.min(i + 1, 3));
        expect(kept).toContain(sub.endpoint);
        for (const endpoint of kept) expect(saved).toContain(endpoint);
      }
      expect(await endpointsOf(bob)).toEqual([bobs.endpoint]);
    });

    it("answers the level (default: mentions) and the muted channels, one person's settings apart from another's", async () => {
      const ada = await makeUser(stores.users);
      const bob = await makeUser(stores.users);
      expect(await stores.notifications.settings(ada.id)).toEqual({ level: 'mentions', mutedChannelIds: [] });
      await stores.notifications.setLevel(ada.id, 'all');
      await stores.notifications.setLevel(ada.id, 'nothing');
      await stores.notifications.mute(ada.id, 'channel-b');
      await stores.notifications.mute(ada.id, 'channel-a');
      await stores.notifications.mute(ada.id, 'channel-a');
      expect(await stores.notifications.settings(ada.id)).toEqual({
        level: 'nothing',
        mutedChannelIds: ['channel-a', 'channel-b'],
      });
      await stores.notifications.unmute(ada.id, 'channel-b');
      await stores.notifications.unmute(ada.id, 'never-muted');
      expect(await stores.notifications.settings(ada.id)).toEqual({ level: 'nothing', mutedChannelIds: ['channel-a'] });
      expect(await stores.notifications.settings(bob.id)).toEqual({ level: 'mentions', mutedChannelIds: [] });
    });

    it('creates the VAPID keys once and answers the same pair ever after, even to racing callers', async () => {
      const racing = await Promise.all(
        ['a', 'b', 'c', 'd'].map((name) => stores.notifications.vapidKeys(() => keys(name))),
      );
      const [first] = racing;
      expect(['a', 'b', 'c', 'd'].map(keys)).toContainEqual(first);
      for (const answer of racing) expect(answer).toEqual(first);
      expect(await stores.notifications.vapidKeys(() => keys('later'))).toEqual(first);
    });

    if (options.makeTwoInstances) {
      const makeTwo = options.makeTwoInstances;
      it('gives two instances starting at once on one database the same VAPID keys', async () => {
        const [one, two] = await makeTwo();
        try {
          const [a, b] = await Promise.all([
            one.notifications.vapidKeys(() => keys('one')),
            two.notifications.vapidKeys(() => keys('two')),
          ]);
          expect(a).toEqual(b);
          expect(await two.notifications.vapidKeys(() => keys('again'))).toEqual(a);
        } finally {
          await one.close();
          await two.close();
        }
      });
    }

    describe('recipients of a posted message', () => {
      it('answers no one while no browser at all is subscribed, whatever the levels', async () => {
        const author = await makeUser(stores.users);
        const reader = await makeUser(stores.users);
        const { channel } = await stores.chat.createChannel({
          slug: `quiet-${++counter}`,
          name: 'Quiet',
          visibility: 'public',
          createdBy: author.id,
        });
        await stores.chat.join(channel.id, reader.id);
        await stores.notifications.setLevel(reader.id, 'all');
        const query = { channelId: channel.id, authorId: author.id, mentionedUserIds: [reader.id], isDirect: false };
        expect(await stores.notifications.recipients(query)).toEqual([]);
        await stores.notifications.saveSubscription(subscription(reader.id), KEEP);
        expect((await stores.notifications.recipients(query)).map((r) => r.userId)).toEqual([reader.id]);
      });

      /**
       * #dev: the author; alice (all), bob (mentions, the default), carol (nothing), dave (all, muted #dev),
       * erin (all, no browser subscribed); frank is subscribed at level all but not a member.
       */
      async function scene() {
        const [author, alice, bob, carol, dave, erin, frank] = (await Promise.all(
          ['author', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((h) =>
            makeUser(stores.users, `${h}${++counter}`),
          ),
        )) as [User, User, User, User, User, User, User];
        const { channel } = await stores.chat.createChannel({
          slug: `dev-${++counter}`,
          name: 'Dev',
          visibility: 'public',
          createdBy: author.id,
        });
        for (const member of [author, alice, bob, carol, dave, erin]) await stores.chat.join(channel.id, member.id);
        const subs = new Map<string, ReturnType<typeof subscription>[]>();
        for (const person of [author, alice, bob, carol, dave, frank]) {
          const own = [subscription(person.id)];
          if (person === alice) own.push(subscription(person.id));
          subs.set(person.id, own);
          for (const sub of own) await stores.notifications.saveSubscription(sub, KEEP);
        }
        for (const person of [author, alice, dave, erin, frank]) await stores.notifications.setLevel(person.id, 'all');
        await stores.notifications.setLevel(carol.id, 'nothing');
        await stores.notifications.mute(dave.id, channel.id);
        await stores.notifications.mute(bob.id, 'another-channel');
        const everyone = { author, alice, bob, carol, dave, erin, frank };
        type Name = keyof typeof everyone;
        const recipients = async (query: { authorId?: string | null; mentioned?: Name[]; isDirect?: boolean }) => {
          const answer = await stores.notifications.recipients({
            channelId: channel.id,
            authorId: query.authorId === undefined ? author.id : query.authorId,
            mentionedUserIds: (query.mentioned ?? []).map((n) => everyone[n].id),
            isDirect: query.isDirect ?? false,
          });
          const names = new Map(Object.entries(everyone).map(([n, u]) => [u.id, n]));
          for (const r of answer) {
            const expected = (subs.get(r.userId) ?? []).map((s) => ({ ...s, createdAt: expect.any(String) }));
            expect(r.subscriptions.sort((x, y) => x.endpoint.localeCompare(y.endpoint))).toEqual(
              expected.sort((x, y) => x.endpoint.localeCompare(y.endpoint)),
            );
          }
          return answer.map((r) => names.get(r.userId)).sort();
        };
        return { recipients };
      }

      it('level all hears every message; mentions, nothing, muted, unsubscribed and the author do not', async () => {
        const { recipients } = await scene();
        expect(await recipients({})).toEqual(['alice']);
      });

      it('a mention reaches members at level mentions, but not at nothing, not in a muted channel, not outsiders', async () => {
        const { recipients } = await scene();
        expect(await recipients({ mentioned: ['bob', 'carol', 'dave', 'erin', 'frank', 'author'] })).toEqual([
          'alice',
          'bob',
        ]);
      });

      it('in a direct conversation every message counts at level mentions', async () => {
        const { recipients } = await scene();
        expect(await recipients({ isDirect: true })).toEqual(['alice', 'bob']);
      });

      it('a message with no author (the assistant) leaves no one out as its author', async () => {
        const { recipients } = await scene();
        expect(await recipients({ authorId: null })).toEqual(['alice', 'author']);
      });
    });
  });
}
