import {
  decodeSearchCursor,
  parseSearchQuery,
  type SearchFilters,
  type SearchHit,
  type SearchPage,
  type SearchStore,
  type User,
} from '@hubbub/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeUser, type StoresUnderTest } from './stores-harness';

export type MakeSearchStores = () => Promise<StoresUnderTest & { search: SearchStore }>;

/** Resolves once the clock has moved on to the next millisecond (messages then have distinct times). */
async function nextMillisecond(): Promise<void> {
  const start = Date.now();
  while (Date.now() === start) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** The text each highlight covers. */
const highlighted = (hit: SearchHit) => hit.highlights.map(([start, end]) => hit.snippet.slice(start, end));

/** The SearchStore contract: ranking, filters, paging, keeping in step with edits and deletes, who may see what. */
export function searchStoreContract(name: string, makeStores: MakeSearchStores): void {
  describe(name, () => {
    let stores: StoresUnderTest & { search: SearchStore };
    let ada: User;
    let bob: User;
    beforeEach(async () => {
      stores = await makeStores();
      ada = await makeUser(stores.users);
      bob = await makeUser(stores.users);
    });
    afterEach(async () => {
      await stores.close();
    });

    let channels = 0;
    const channel = async (visibility: 'public' | 'private' = 'public', owner = ada) =>
      (
        await stores.chat.createChannel({
          slug: `search-${++channels}`,
          name: `Search ${channels}`,
          visibility,
          createdBy: owner.id,
        })
      ).channel;
    const send = async (channelId: string, content: string, author = ada) =>
      (await stores.chat.sendMessage({ channelId, authorId: author.id, content })).message;
    const search = (
      text: string,
      options: SearchFilters & { reader?: User; limit?: number; cursor?: string | null } = {},
    ): Promise<SearchPage> => {
      const { reader = ada, limit = 20, cursor, ...filters } = options;
      return stores.search.search({
        readerId: reader.id,
        query: parseSearchQuery(text),
        limit,
        cursor: cursor ? decodeSearchCursor(cursor) : undefined,
        ...filters,
      });
    };
    const contents = (page: SearchPage) => page.hits.map((hit) => hit.message.content);

    it('finds messages by their words (stemmed, any case), best match first, with the message, its channel and a highlighted snippet', async () => {
      const dev = await channel();
      await send(dev.id, 'Lunch is at noon today');
      const once = await send(dev.id, 'The deploy of the billing service went fine, then we talked about lunch plans');
      const twice = await send(dev.id, 'Deploy, deploy: the deployment is running');

      const page = await search('DEPLOYING');
      expect(contents(page)).toEqual([twice.content, once.content]);
      const [best] = page.hits;
      expect(best?.message).toMatchObject({ id: twice.id, authorId: ada.id, author: { handle: ada.handle } });
      expect(best?.channel).toEqual({ id: dev.id, slug: dev.slug, name: dev.name, kind: 'channel' });
      expect(best?.snippet).toBe(twice.content);
      // Stemmed alike ("deploying" and "deploy"); whether "deployment" is too is the stemmer's call.
      expect(
        highlighted(best as SearchHit)
          .slice(0, 2)
          .map((word) => word.toLowerCase()),
      ).toEqual(['deploy', 'deploy']);
      expect(page.nextCursor).toBeNull();
    });

    it('cuts a long message to a snippet around the first match, its highlight moved with it', async () => {
      const dev = await channel();
      const filler = 'lorem ipsum dolor sit amet '.repeat(40);
      await send(dev.id, `${filler}the needle is here ${filler}`);
      const [hit] = (await search('needle')).hits;
      expect(hit?.snippet.length).toBeLessThanOrEqual(202);
      expect(hit?.snippet.startsWith('…')).toBe(true);
      expect(hit?.snippet.endsWith('…')).toBe(true);
      expect(highlighted(hit as SearchHit)).toEqual(['needle']);
    });

    it('matches the last word as a prefix while it is being typed, and "quoted words" as a phrase; -word excludes', async () => {
      const dev = await channel();
      await send(dev.id, 'kubernetes upgrade tonight');
      await send(dev.id, 'the upgrade of the database');
      await send(dev.id, 'database upgrade tomorrow');
      expect(contents(await search('kuber'))).toEqual(['kubernetes upgrade tonight']);
      // A finished word (a space after it) is not a prefix.
      expect(contents(await search('kuber '))).toEqual([]);
      expect(contents(await search('"database upgrade"'))).toEqual(['database upgrade tomorrow']);
      expect(contents(await search('upgrade -kubernetes -tomorrow'))).toEqual(['the upgrade of the database']);
    });

    it('narrows by channel, author and dates (both bounds exclusive)', async () => {
      const dev = await channel();
      const ops = await channel();
      await stores.chat.join(ops.id, bob.id);
      const first = await send(dev.id, 'release notes one');
      await nextMillisecond();
      const second = await send(ops.id, 'release notes two', bob);
      await nextMillisecond();
      const third = await send(dev.id, 'release notes three');

      const sorted = (page: SearchPage) => contents(page).sort();
      expect(sorted(await search('release', { channelId: dev.id }))).toEqual([first.content, third.content].sort());
      expect(sorted(await search('release', { authorId: bob.id }))).toEqual([second.content]);
      expect(sorted(await search('release', { after: first.createdAt }))).toEqual(
        [second.content, third.content].sort(),
      );
      expect(sorted(await search('release', { before: third.createdAt }))).toEqual(
        [first.content, second.content].sort(),
      );
      expect(
        sorted(await search('release', { after: first.createdAt, before: third.createdAt, authorId: bob.id })),
      ).toEqual([second.content]);
      expect(sorted(await search('release', { channelId: ops.id, authorId: ada.id }))).toEqual([]);
    });

    it('pages by cursor without repeats or gaps, and a message sent while paging does not push the pages along', async () => {
      const dev = await channel();
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) sent.push((await send(dev.id, `standup note ${i}`)).content);

      const first = await search('standup', { limit: 2 });
      expect(first.hits).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      await send(dev.id, 'standup note sent while paging');
      const second = await search('standup', { limit: 2, cursor: first.nextCursor });
      const third = await search('standup', { limit: 2, cursor: second.nextCursor });
      expect(third.hits).toHaveLength(1);
      expect(third.nextCursor).toBeNull();
      expect([...contents(first), ...contents(second), ...contents(third)].sort()).toEqual([...sent].sort());
      // A new search sees it.
      expect(contents(await search('standup', { limit: 10 }))).toContain('standup note sent while paging');
    });

    it('follows edits (the old words are gone, the new ones found) and deletes', async () => {
      const dev = await channel();
      const message = await send(dev.id, 'meet at the aquarium');
      expect(contents(await search('aquarium'))).toEqual(['meet at the aquarium']);
      await stores.chat.editMessage(message.id, { content: 'meet at the planetarium', edited: true });
      expect(contents(await search('aquarium'))).toEqual([]);
      const [edited] = (await search('planetarium')).hits;
      expect(edited?.message).toMatchObject({ id: message.id, content: 'meet at the planetarium' });
      expect(edited?.message.editedAt).not.toBeNull();
      await stores.chat.deleteMessage(message.id);
      expect(contents(await search('planetarium'))).toEqual([]);
    });

    it('finds replies in a thread like any message, with the thread they are in', async () => {
      const dev = await channel();
      const root = await send(dev.id, 'who owns the invoice export?');
      const { message: reply } = await stores.chat.sendMessage({
        channelId: dev.id,
        authorId: bob.id,
        content: 'the invoice export is mine',
        threadId: root.id,
      });
      const hits = (await search('invoice')).hits;
      expect(hits.map((hit) => hit.message.id).sort()).toEqual([root.id, reply.id].sort());
      const found = hits.find((hit) => hit.message.id === reply.id);
      expect(found?.threadId).toBe(root.id);
      expect(hits.find((hit) => hit.message.id === root.id)?.threadId).toBeUndefined();
    });

    it('leaves out an assistant reply while it is still streaming', async () => {
      const dev = await channel();
      const { message } = await stores.chat.sendMessage({
        channelId: dev.id,
        authorId: null,
        role: 'assistant',
        status: 'streaming',
        content: 'the quarterly numbers look',
      });
      expect(contents(await search('quarterly'))).toEqual([]);
      await stores.chat.editMessage(message.id, { content: 'the quarterly numbers look good', status: 'complete' });
      expect(contents(await search('quarterly'))).toEqual(['the quarterly numbers look good']);
    });

    it("never shows a private channel's messages to someone outside it, even when they name the channel", async () => {
      const secret = await channel('private');
      const open = await channel('public');
      await send(secret.id, 'the acquisition closes friday');
      await send(open.id, 'acquisition rumours are false');

      expect(contents(await search('acquisition', { reader: bob }))).toEqual(['acquisition rumours are false']);
      expect(contents(await search('acquisition', { reader: bob, channelId: secret.id }))).toEqual([]);
      expect(contents(await search('acquisition')).sort()).toEqual([
        'acquisition rumours are false',
        'the acquisition closes friday',
      ]);
      // A member sees it; once they leave, no longer.
      await stores.chat.join(secret.id, bob.id);
      expect(contents(await search('acquisition', { reader: bob, channelId: secret.id }))).toEqual([
        'the acquisition closes friday',
      ]);
      await stores.chat.leave(secret.id, bob.id);
      expect(contents(await search('acquisition', { reader: bob, channelId: secret.id }))).toEqual([]);
    });

    it('takes the characters of either index query language as plain text', async () => {
      const dev = await channel();
      await send(dev.id, 'ship the widget: rollout AND rollback plans');
      const hostile = [
        '"',
        '""',
        '"widget',
        'widget"',
        '*',
        'widget*',
        'NEAR(widget rollout)',
        'widget AND',
        'OR widget',
        'NOT',
        '-',
        '- -widget',
        'widget:*',
        "widget' | 'rollout",
        'widget & !rollout',
        '(widget',
        'widget)',
        '^widget',
        'content:widget',
        '{widget}',
        '\\',
        'widget <-> rollout',
        "'",
        '!!!',
        '🎉',
      ];
      for (const text of hostile) {
        const page = await search(text);
        expect(Array.isArray(page.hits), text).toBe(true);
      }
      // The words around the syntax still count as words.
      expect(contents(await search('widget* AND (rollout)'))).toEqual(['ship the widget: rollout AND rollback plans']);
      expect(contents(await search("widget' | 'nothing"))).toEqual([]);
      expect(contents(await search('widget:*'))).toEqual(['ship the widget: rollout AND rollback plans']);
    });
  });
}
