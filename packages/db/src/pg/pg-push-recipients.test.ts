import type { PostedMessageQuery, PushRecipient, User } from '@hubbub/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresStores, type Stores } from '../stores';
import { makeUser } from '../test/stores-harness';
import { DROP_ALL_TIMEOUT_MS, probePostgres, TestDatabases } from './test-databases';

const probe = await probePostgres();
if (!probe.reachable) console.warn(`Skipping PostgreSQL push recipients: no server at ${probe.reason}`);

const databases = new TestDatabases();
const KEEP = { keepPerUser: 10 };

describe.skipIf(!probe.reachable)('PostgreSQL push recipients asked together', () => {
  let stores: Stores;
  beforeEach(async () => {
    const database = await databases.fresh();
    const opened = await createPostgresStores(database.url, { poolSize: 4 });
    stores = { ...opened, close: () => opened.close().then(database.release) };
  });
  afterEach(() => stores.close());
  afterAll(() => databases.dropAll(), DROP_ALL_TIMEOUT_MS);

  /** The author at level all; #one with alice (all), bob (mentions), carol (nothing); #two with bob and dave (all, muted). */
  async function scene() {
    const [author, alice, bob, carol, dave] = (await Promise.all(
      ['author', 'alice', 'bob', 'carol', 'dave'].map((h) =>
        makeUser(stores.users, `${h}-${Math.random()}`.slice(0, 20)),
      ),
    )) as [User, User, User, User, User];
    const channel = async (slug: string, members: User[]) => {
      const { channel } = await stores.chat.createChannel({
        slug,
        name: slug,
        visibility: 'public',
        createdBy: author.id,
      });
      for (const member of members) await stores.chat.join(channel.id, member.id);
      return channel.id;
    };
    const one = await channel('one', [author, alice, bob, carol]);
    const two = await channel('two', [author, bob, dave]);
    for (const person of [author, alice, bob, carol, dave]) {
      await stores.notifications.saveSubscription(
        { endpoint: `https://push.example.com/${person.id}`, userId: person.id, p256dh: 'k', auth: 'a' },
        KEEP,
      );
    }
    await stores.notifications.setLevel(author.id, 'all');
    await stores.notifications.setLevel(alice.id, 'all');
    await stores.notifications.setLevel(carol.id, 'nothing');
    await stores.notifications.setLevel(dave.id, 'all');
    await stores.notifications.mute(dave.id, two);
    const names = new Map(Object.entries({ author, alice, bob, carol, dave }).map(([name, u]) => [u.id, name]));
    const named = (answer: PushRecipient[]) => answer.map((r) => names.get(r.userId) ?? r.userId).sort();
    const query = (channelId: string, q: Partial<PostedMessageQuery> = {}): PostedMessageQuery => ({
      channelId,
      authorId: author.id,
      mentionedUserIds: [],
      isDirect: false,
      ...q,
    });
    return { one, two, author, bob, carol, named, query };
  }

  it('answers queries sent in one statement each as it answers them alone', async () => {
    const { one, two, bob, carol, named, query } = await scene();
    await stores.notifications.setLevel(bob.id, 'mentions');
    const queries = [
      query(one),
      query(one, { mentionedUserIds: [bob.id, carol.id] }),
      query(one, { isDirect: true }),
      query(one, { authorId: null }),
      query(two),
      query(two, { mentionedUserIds: [bob.id] }),
    ];
    const alone: string[][] = [];
    for (const q of queries) alone.push(named(await stores.notifications.recipients(q)));
    const together = (await Promise.all(queries.map((q) => stores.notifications.recipients(q)))).map(named);
    expect(together).toEqual(alone);
    expect(together).toEqual([['alice'], ['alice', 'bob'], ['alice', 'bob'], ['alice', 'author'], [], ['bob']]);
  });
});
