import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Attachment } from '@hubbub/core';
import { TestDatabases } from '@hubbub/db/test';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { sweepUploads } from './background-jobs';
import { probeBackends } from './test/cluster';
import { startTestServer, type TestServer, type TestServerOptions } from './test/harness';
import { generalChannel, recordChannel } from './test/stream';

let server: TestServer;
afterEach(async () => {
  await server?.stop();
});

/** What an upload answers: the attachment a message will carry. */
type Uploaded = Attachment;

/** A real PNG: 300×200 pixels of one colour. */
const png = () =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 60, b: 90 } } })
    .png()
    .toBuffer();

function upload(channelId: string, body: Buffer | string, name: string, token?: string) {
  return fetch(`${server.url}/api/files?channelId=${encodeURIComponent(channelId)}`, {
    method: 'POST',
    headers: { 'x-filename': encodeURIComponent(name), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

async function uploaded(channelId: string, body: Buffer | string, name: string, token: string): Promise<Uploaded> {
  const res = await upload(channelId, body, name, token);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Uploaded;
}

const download = (id: string, token?: string, suffix = '') =>
  fetch(`${server.url}/api/files/${id}${suffix}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Ada and Bob signed up on a fresh server, both in #general. */
async function adaAndBob(options: TestServerOptions = {}) {
  server = await startTestServer(options);
  const ada = await server.signup('ada');
  const bob = await server.signup('bob');
  const a = server.client(ada.token);
  const b = server.client(bob.token);
  const channel = await generalChannel(a);
  return { ada, bob, a, b, channel };
}

describe('files over real sockets', () => {
  it("Ada's picture reaches Bob live with its size and thumbnail; he downloads both, inline, never sniffed or shared", async () => {
    const { ada, bob, a, b, channel } = await adaAndBob();
    const bytes = await png();
    const file = await uploaded(channel.id, bytes, 'sunset ☀.png', ada.token);
    expect(file).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'sunset ☀.png',
      contentType: 'image/png',
      size: bytes.length,
      width: 300,
      height: 200,
      thumbnail: true,
    });
    const page = await b.api.message.history.query({ channelId: channel.id });
    const live = recordChannel(b, channel.id, page.eventId);
    const message = await a.api.message.send.mutate({ channelId: channel.id, content: '', attachmentIds: [file.id] });
    expect(message.attachments).toEqual([file]);
    const events = await live.until((e) => e.some((x) => x.data.type === 'message.created'));
    const seen = events.find((e) => e.data.type === 'message.created')?.data.message as { attachments?: Uploaded[] };
    expect(seen.attachments).toEqual([file]);
    live.stop();

    const res = await download(file.id, bob.token);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe(
      `inline; filename="sunset _.png"; filename*=UTF-8''sunset%20%E2%98%80.png`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    // Asked again with its ETag: nothing to send, access checked all the same.
    const again = await fetch(`${server.url}/api/files/${file.id}`, {
      headers: { authorization: `Bearer ${bob.token}`, 'if-none-match': res.headers.get('etag') ?? '' },
    });
    expect(again.status).toBe(304);

    const thumb = await download(file.id, bob.token, '/thumbnail');
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 300, 200]);

    const history = await b.api.message.history.query({ channelId: channel.id });
    expect(history.items.find((m) => m.id === message.id)?.attachments).toEqual([file]);
  });

  it('a large photo gets a thumbnail of at most 640 pixels a side, in its proportions', async () => {
    const { ada, channel } = await adaAndBob();
    const photo = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#3a7' } })
      .jpeg()
      .toBuffer();
    const file = await uploaded(channel.id, photo, 'wide.jpg', ada.token);
    expect([file.contentType, file.width, file.height]).toEqual(['image/jpeg', 2000, 1000]);
    const thumb = await download(file.id, ada.token, '/thumbnail');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([640, 320]);
  });

  it('refuses without a token (401), a non-member (403), a private channel it cannot see (404), and unknown ids (404)', async () => {
    const { ada, bob, a, channel } = await adaAndBob();
    const noToken = await upload(channel.id, 'hello', 'a.txt');
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    const badToken = await upload(channel.id, 'hello', 'a.txt', 'not-a-token');
    expect(badToken.status).toBe(401);

    const secret = await a.api.channel.create.mutate({
      slug: 'secret',
      name: 'Secret',
      visibility: 'private',
    });
    expect((await upload(secret.id, 'hello', 'a.txt', bob.token)).status).toBe(404);
    const open = await a.api.channel.create.mutate({ slug: 'open', name: 'Open', visibility: 'public' });
    const notJoined = await upload(open.id, 'hello', 'a.txt', bob.token);
    expect(notJoined.status).toBe(403);
    expect(((await notJoined.json()) as { error: string }).error).toMatch(/join the channel/);
    // A refusal before the body is read still reaches a client sending megabytes: the rest is read and dropped.
    const big = await upload(open.id, Buffer.alloc(4 * 1024 * 1024, 3), 'big.bin', bob.token);
    expect(big.status).toBe(403);
    expect((await upload('no-such-channel', 'hello', 'a.txt', bob.token)).status).toBe(404);
    expect((await upload('', 'hello', 'a.txt', bob.token)).status).toBe(400);

    // A file in the private channel: Bob gets 404 for it, exactly as for an id that does not exist.
    const hidden = await uploaded(secret.id, 'the plan', 'plan.txt', ada.token);
    await a.api.message.send.mutate({ channelId: secret.id, content: 'see file', attachmentIds: [hidden.id] });
    expect((await download(hidden.id)).status).toBe(401);
    expect((await download(hidden.id, bob.token)).status).toBe(404);
    expect((await download(hidden.id, bob.token, '/thumbnail')).status).toBe(404);
    expect((await download('01234567-89ab-4cde-8f01-23456789abcd', bob.token)).status).toBe(404);
    expect((await download(hidden.id, ada.token)).status).toBe(200);
  });

  it("a member who leaves loses the channel's files at once; an unsent upload is its uploader's only", async () => {
    const { ada, bob, a, b } = await adaAndBob();
    const channel = await a.api.channel.create.mutate({ slug: 'team', name: 'Team', visibility: 'private' });
    await a.api.channel.invite.mutate({ channelId: channel.id, userIds: [bob.user.id] });
    const file = await uploaded(channel.id, 'notes', 'notes.txt', ada.token);
    expect((await download(file.id, bob.token)).status).toBe(404);
    await a.api.message.send.mutate({ channelId: channel.id, content: 'x', attachmentIds: [file.id] });
    expect((await download(file.id, bob.token)).status).toBe(200);
    await b.api.channel.leave.mutate({ channelId: channel.id });
    expect((await download(file.id, bob.token)).status).toBe(404);
  });

  it('413 for a declared size over the limit and for a chunked body that grows past it; nothing is stored', async () => {
    const { ada, channel } = await adaAndBob({ maxUploadBytes: 64 * 1024 });
    // The limits, for a client to refuse a file before sending it.
    expect(await (await fetch(`${server.url}/api/files`)).json()).toEqual({ maxBytes: 64 * 1024, perMessage: 10 });
    const declared = await upload(channel.id, Buffer.alloc(64 * 1024 + 1, 1), 'big.bin', ada.token);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/too large: at most 64 KB/);
    expect((await upload(channel.id, Buffer.alloc(64 * 1024, 1), 'fits.bin', ada.token)).status).toBe(201);

    // No Content-Length: the server counts while the chunks arrive, and answers as soon as the limit is passed.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/api/files?channelId=${channel.id}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ada.token}`, 'transfer-encoding': 'chunked' },
      });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error) => (answered ? undefined : reject(error)));
      const chunk = Buffer.alloc(16 * 1024, 2);
      const pump = () => {
        // Keeps sending until the answer comes: the server must not wait for the end.
        while (!answered && req.write(chunk)) {}
        if (!answered) req.once('drain', pump);
        else req.destroy();
      };
      pump();
    });
    expect(status).toBe(413);
    const removed = await sweepUploads(server.hubbub.deps.stores, Date.now() + 25 * 3600_000);
    // Only the upload that fit was ever stored (and, never sent, the sweep takes it).
    expect(removed).toBe(1);
  });

  it('an HTML page named .png is sniffed as HTML and only ever served as an attachment', async () => {
    const { ada, channel } = await adaAndBob();
    const file = await uploaded(channel.id, '<!doctype html><script>alert(1)</script>', 'cat.png', ada.token);
    expect(file.contentType).toBe('text/html');
    expect(file).not.toHaveProperty('thumbnail');
    const res = await download(file.id, ada.token);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cat.png"/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const svg = await uploaded(
      channel.id,
      '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
      'x.jpg',
      ada.token,
    );
    expect(svg.contentType).toBe('image/svg+xml');
    expect((await download(svg.id, ada.token)).headers.get('content-disposition')).toMatch(/^attachment/);
    const text = await uploaded(channel.id, 'just some words', '../../etc/passwd', ada.token);
    expect([text.contentType, text.name]).toEqual(['text/plain', 'passwd']);
  });

  it("sends only the sender's own pending uploads to the same channel, at most 10; deleting the message deletes its files", async () => {
    const { ada, bob, a, b, channel } = await adaAndBob();
    const bobs = await uploaded(channel.id, 'bob', 'b.txt', bob.token);
    await expect(
      a.api.message.send.mutate({ channelId: channel.id, content: 'steal', attachmentIds: [bobs.id] }),
    ).rejects.toThrow(/not an upload of yours/);
    const ids = Array.from({ length: 11 }, (_, i) => `id-${i}`);
    await expect(
      a.api.message.send.mutate({ channelId: channel.id, content: 'many', attachmentIds: ids }),
    ).rejects.toThrow();
    await expect(a.api.message.send.mutate({ channelId: channel.id, content: '' })).rejects.toThrow(/message is empty/);

    const file = await uploaded(channel.id, await png(), 'p.png', ada.token);
    const message = await a.api.message.send.mutate({
      channelId: channel.id,
      content: 'pic',
      attachmentIds: [file.id],
    });
    await expect(b.api.message.delete.mutate({ messageId: message.id })).rejects.toThrow(/your own messages/);
    await a.api.message.delete.mutate({ messageId: message.id });
    expect((await download(file.id, ada.token)).status).toBe(404);
    const { blobs, attachments } = server.hubbub.deps.stores;
    expect(await attachments.byId(file.id)).toBeNull();
    expect(await blobs.get(file.id)).toBeNull();
    expect(await blobs.get(`${file.id}.thumb`)).toBeNull();
  });

  it("deleting a thread's root deletes its own files and keeps its replies' (other people's) until they go", async () => {
    const { ada, bob, a, b, channel } = await adaAndBob();
    const rootFile = await uploaded(channel.id, 'agenda', 'agenda.txt', ada.token);
    const root = await a.api.message.send.mutate({
      channelId: channel.id,
      content: 'a thread',
      attachmentIds: [rootFile.id],
    });
    const file = await uploaded(channel.id, 'reply notes', 'reply.txt', bob.token);
    const reply = await b.api.message.send.mutate({
      channelId: channel.id,
      content: 'my notes',
      threadId: root.id,
      attachmentIds: [file.id],
    });
    await a.api.message.delete.mutate({ messageId: root.id });
    expect((await download(rootFile.id, ada.token)).status).toBe(404);
    expect(await server.hubbub.deps.stores.blobs.get(rootFile.id)).toBeNull();
    expect((await download(file.id, ada.token)).status).toBe(200);
    // The kept root is only the replies' anchor: no edits, no reactions, no second delete.
    await expect(a.api.message.edit.mutate({ messageId: root.id, content: 'back' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await expect(b.api.message.react.mutate({ messageId: root.id, emoji: '👍' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
    await b.api.message.delete.mutate({ messageId: reply.id });
    expect((await download(file.id, bob.token)).status).toBe(404);
    expect(await server.hubbub.deps.stores.blobs.get(file.id)).toBeNull();
    expect(await server.hubbub.deps.stores.chat.messageById(root.id)).toBeNull();
  });

  it("a file outlives a restart: its bytes are in the data directory's files/, named by id", async () => {
    const { ada, a, channel } = await adaAndBob();
    const bytes = await png();
    const file = await uploaded(channel.id, bytes, 'kept.png', ada.token);
    await a.api.message.send.mutate({ channelId: channel.id, content: 'keep', attachmentIds: [file.id] });
    const { dataDir, secret } = server;
    await server.stop({ keepData: true });
    expect(readdirSync(join(dataDir, 'files')).sort()).toEqual([file.id, `${file.id}.thumb`]);
    server = await startTestServer({ dataDir, secret });
    const res = await download(file.id, ada.token);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a person over their hourly upload budget gets 429 with Retry-After', async () => {
    const { ada, channel } = await adaAndBob({ limits: { uploadsPerHour: 2 } });
    await uploaded(channel.id, 'one', '1.txt', ada.token);
    await uploaded(channel.id, 'two', '2.txt', ada.token);
    const third = await upload(channel.id, 'three', '3.txt', ada.token);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

const backends = await probeBackends();
if (!backends.reachable) console.warn(`cluster file tests skipped: ${backends.reason}`);
const databases = new TestDatabases();

describe.skipIf(!backends.reachable)('files in a cluster (PostgreSQL + Redis, two instances)', () => {
  afterAll(() => databases.dropAll());
  let first: TestServer | undefined;
  let second: TestServer | undefined;
  afterEach(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('a file uploaded to one instance is sent from it and served by the other; deleting it there removes it everywhere', async () => {
    const database = await databases.fresh();
    const shared = {
      postgres: { url: database.url, poolSize: 4 },
      redis: { url: 'redis://127.0.0.1:6379', prefix: `hubbub-files-${randomBytes(4).toString('hex')}` },
      secret: randomBytes(32).toString('hex'),
    };
    first = await startTestServer(shared);
    second = await startTestServer(shared);
    const ada = await first.signup('ada');
    const bob = await second.signup('bob');
    const a = first.client(ada.token);
    const b = second.client(bob.token);
    const channel = await generalChannel(b);
    const page = await b.api.message.history.query({ channelId: channel.id });
    const live = recordChannel(b, channel.id, page.eventId);

    const bytes = await png();
    const res = await fetch(`${first.url}/api/files?channelId=${channel.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ada.token}`, 'x-filename': 'cluster.png' },
      body: bytes,
    });
    expect(res.status).toBe(201);
    const file = (await res.json()) as Uploaded;
    const message = await a.api.message.send.mutate({
      channelId: channel.id,
      content: 'from node 1',
      attachmentIds: [file.id],
    });
    const events = await live.until((e) => e.some((x) => x.data.type === 'message.created'));
    const seen = events.find((e) => e.data.type === 'message.created')?.data.message as { attachments?: Uploaded[] };
    expect(seen.attachments).toEqual([file]);
    live.stop();

    const fromSecond = await fetch(`${second.url}/api/files/${file.id}`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(fromSecond.status).toBe(200);
    expect(Buffer.from(await fromSecond.arrayBuffer()).equals(bytes)).toBe(true);
    const thumb = await fetch(`${second.url}/api/files/${file.id}/thumbnail`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    // Deleted through the second instance: the bytes are gone for the first too.
    const adaOnSecond = second.client(ada.token);
    await adaOnSecond.api.message.delete.mutate({ messageId: message.id });
    const gone = await fetch(`${first.url}/api/files/${file.id}`, {
      headers: { authorization: `Bearer ${ada.token}` },
    });
    expect(gone.status).toBe(404);
    expect(await first.hubbub.deps.stores.blobs.get(file.id)).toBeNull();
  });
});
