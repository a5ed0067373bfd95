import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

/** What a refused call carries: the message for people, the code for programs. */
type Refusal = Error & { data?: { code?: string } };

/** The error a call failed with (the test fails if it did not). */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(TRPCClientError);
      return error as Refusal;
    },
  );

/** Ada and Bob on a fresh server; Ada owns a private channel Bob is not in, with a message of hers in it and one in #general. */
async function adaAndBob() {
  server = await startTestServer();
  const ada = await server.signup('ada');
  const bob = await server.signup('bob');
  const a = server.client(ada.token);
  const b = server.client(bob.token);
  const open = await generalChannel(a);
  const secret = await a.api.channel.create.mutate({ slug: 'board', name: 'Board', visibility: 'private' });
  const inSecret = await a.api.message.send.mutate({ channelId: secret.id, content: 'the merger closes on friday' });
  const inOpen = await a.api.message.send.mutate({
    channelId: open.id,
    content: 'merger rumours are false, see the memo',
  });
  return { ada, bob, a, b, open, secret, inSecret, inOpen };
}

describe('message.search over real sockets', () => {
  it('finds what the caller may read, with the channel, a snippet and its highlights', async () => {
    const { a, b, open, secret, inSecret, inOpen } = await adaAndBob();

    const mine = await a.api.message.search.query({ query: 'merger' });
    expect(mine.hits.map((h) => h.message.id).sort()).toEqual([inSecret.id, inOpen.id].sort());
    const hit = mine.hits.find((h) => h.message.id === inOpen.id);
    expect(hit).toEqual({
      message: expect.objectContaining({ id: inOpen.id, content: inOpen.content, author: expect.any(Object) }),
      channel: { id: open.id, slug: 'general', name: open.name, kind: 'channel' },
      snippet: 'merger rumours are false, see the memo',
      highlights: [[0, 6]],
    });
    expect(mine.nextCursor).toBeNull();

    // Bob is not in the private channel: its message is never found, not even when he names the channel.
    const his = await b.api.message.search.query({ query: 'merger' });
    expect(his.hits.map((h) => h.message.id)).toEqual([inOpen.id]);
    const named = await refusal(b.api.message.search.query({ query: 'merger', channelId: secret.id }));
    expect(named).toMatchObject({ message: 'channel not found', data: { code: 'NOT_FOUND' } });
    // Exactly what an id that never existed answers.
    const unknown = await refusal(b.api.message.search.query({ query: 'merger', channelId: 'no-such-channel' }));
    expect(unknown).toMatchObject({ message: named.message, data: { code: named.data?.code } });
  });

  it('follows edits and deletes made through the API, and narrows by channel and author', async () => {
    const { ada, bob, a, b, open, inOpen } = await adaAndBob();
    await b.api.channel.join.mutate({ channelId: open.id }).catch(() => null);
    const bobs = await b.api.message.send.mutate({ channelId: open.id, content: 'the memo is in the shared drive' });

    const byAuthor = await b.api.message.search.query({ query: 'memo', authorId: bob.user.id });
    expect(byAuthor.hits.map((h) => h.message.id)).toEqual([bobs.id]);
    const inChannel = await b.api.message.search.query({ query: 'memo', channelId: open.id });
    expect(inChannel.hits.map((h) => h.message.id).sort()).toEqual([inOpen.id, bobs.id].sort());

    await a.api.message.edit.mutate({ messageId: inOpen.id, content: 'merger rumours are false, see the letter' });
    const afterEdit = await b.api.message.search.query({ query: 'memo', authorId: ada.user.id });
    expect(afterEdit.hits).toEqual([]);
    await b.api.message.delete.mutate({ messageId: bobs.id });
    expect((await b.api.message.search.query({ query: 'memo' })).hits).toEqual([]);
    expect((await b.api.message.search.query({ query: 'letter' })).hits.map((h) => h.message.id)).toEqual([inOpen.id]);
  });

  it('pages with the opaque cursor', async () => {
    const { a, open } = await adaAndBob();
    for (let i = 0; i < 5; i++) await a.api.message.send.mutate({ channelId: open.id, content: `retro item ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { hits: { message: { id: string } }[]; nextCursor: string | null } = await a.api.message.search.query(
        { query: 'retro', limit: 2, cursor },
      );
      seen.push(...page.hits.map((h) => h.message.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses input out of bounds, a forged cursor and a call without a token', async () => {
    const { a } = await adaAndBob();
    const bad = async (input: Record<string, unknown>) =>
      (await refusal(a.api.message.search.query(input as never))).data?.code;
    expect(await bad({ query: '   ' })).toBe('BAD_REQUEST');
    expect(await bad({ query: 'x'.repeat(201) })).toBe('BAD_REQUEST');
    expect(await bad({ query: 'memo', limit: 51 })).toBe('BAD_REQUEST');
    expect(await bad({ query: 'memo', limit: 0 })).toBe('BAD_REQUEST');
    expect(await bad({ query: 'memo', before: 'yesterday' })).toBe('BAD_REQUEST');
    const forged = await refusal(a.api.message.search.query({ query: 'memo', cursor: 'bm90LWEtY3Vyc29y' }));
    expect(forged).toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('cursor') });
    // Syntax of either index's query language is only text.
    expect((await a.api.message.search.query({ query: '" OR * NEAR( :* & !' })).hits).toEqual([]);

    const anonymous = server.client();
    const signedOut = await refusal(anonymous.api.message.search.query({ query: 'memo' }));
    expect(signedOut.data?.code).toBe('UNAUTHORIZED');
  });

  it('is a read: limited per person like every query', async () => {
    server = await startTestServer({ limits: { reads: { burst: 5, perSecond: 0.1 } } });
    const ada = await server.signup('ada');
    const a = server.client(ada.token);
    const answers: unknown[] = [];
    for (let i = 0; i < 6; i++) answers.push(await a.api.message.search.query({ query: 'anything' }).catch((e) => e));
    const refused = answers.filter((x) => x instanceof TRPCClientError);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS', retryAfterMs: expect.any(Number) } });
  });
});
