import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { createOpenAICompatibleModel, type ModelProvider } from '@hubbub/assistant';
import { createMemoryRateLimiter } from '@hubbub/bus';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SERVER_MAIN, SERVER_NODE_ARGS } from './node-args';
import { freePort } from './test/cluster';
import { type FakeMode, type FakeOpenAI, startFakeOpenAI } from './test/fake-openai';
import { startTestServer, type TestServer } from './test/harness';
import { type Received, recordChannel } from './test/stream';

let server: TestServer | undefined;
let fake: FakeOpenAI | undefined;
let child: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await server?.stop();
  server = undefined;
  await fake?.close();
  fake = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Msg {
  id: string;
  status: string;
  content: string;
  role: string;
  meta: {
    provider?: string;
    model?: string;
    tokenCount?: number;
    error?: string;
    queuePosition?: number;
    requestedBy?: string;
  } | null;
}
const msg = (e: Received) => e.data.message as Msg;
const isReply = (e: Received) => 'message' in e.data && msg(e).role === 'assistant';
const finished = (e: Received) =>
  e.data.type === 'message.updated' && isReply(e) && ['complete', 'cancelled', 'failed'].includes(msg(e).status);

/** Applies a channel's deltas for one message, as a client does: text at its offset. */
function applyDeltas(events: Received[], messageId: string, start = '') {
  let content = start;
  for (const e of events) {
    if (e.data.type === 'message.delta' && e.data.messageId === messageId) {
      const index = e.data.index as number;
      content = content.slice(0, index) + (e.data.text as string);
    }
  }
  return content;
}

async function setup(mode: FakeMode | 'offline' | { baseURL: string }) {
  if (mode === 'offline') {
    server = await startTestServer();
  } else {
    if (!('baseURL' in mode)) fake = await startFakeOpenAI(mode);
    const baseURL = 'baseURL' in mode ? mode.baseURL : (fake as FakeOpenAI).baseURL;
    server = await startTestServer({
      assistant: {
        model: createOpenAICompatibleModel({ baseURL, apiKey: 'sk-test', model: 'fake-model' }),
        deltaIntervalMs: 10,
      },
    });
  }
  const alice = await server.signup('alice');
  const a = server.client(alice.token);
  const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no general');
  const page = await a.api.message.history.query({ channelId: general.id });
  const stream = recordChannel(a, general.id, page.eventId);
  await stream.until((e) => e.some((x) => x.data.type === 'presence'));
  return { server, a, channelId: general.id, stream };
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i} `);

describe('the assistant streams model replies', () => {
  it('relays tokens as ordered deltas whose concatenation is the stored text', async () => {
    const tokens = ['Hello', ' there', ',', ' how', ' can', ' I', ' help', '?'];
    const { a, channelId, stream } = await setup({ kind: 'stream', tokens });
    await a.api.message.send.mutate({ channelId, content: '@assistant hello' });
    await stream.until((e) => e.some(finished));
    const created = stream.events.find((e) => e.data.type === 'message.created' && isReply(e));
    if (!created) throw new Error('no reply created');
    expect(msg(created).status).toBe('streaming');
    const done = stream.events.find(finished) as Received;
    expect(msg(done)).toMatchObject({
      id: msg(created).id,
      status: 'complete',
      content: tokens.join(''),
      meta: { provider: 'openai-compatible', model: 'fake-model', tokenCount: tokens.length },
    });
    expect(applyDeltas(stream.events, msg(created).id)).toBe(tokens.join(''));
    const indices = stream.events.filter((e) => e.data.type === 'message.delta').map((e) => e.data.index as number);
    expect(indices).toEqual([...indices].sort((x, y) => x - y));
    // The model saw the conversation with roles, not only the last line.
    expect(fake?.requests[0]?.messages.at(0)?.role).toBe('system');
    expect(fake?.requests[0]?.messages.at(-1)).toEqual({ role: 'user', content: 'alice: @assistant hello' });
  });

  it('stop aborts the upstream request, keeps the partial text, and no delta follows', async () => {
    const { a, channelId, stream } = await setup({ kind: 'stream', tokens: words(300), delayMs: 15 });
    await a.api.message.send.mutate({ channelId, content: '@assistant write a lot' });
    await stream.until((e) => e.filter((x) => x.data.type === 'message.delta').length >= 2);
    const reply = msg(stream.events.find((e) => e.data.type === 'message.created' && isReply(e)) as Received);
    const stopped = await a.api.message.cancel.mutate({ messageId: reply.id });
    expect(stopped.status).toBe('cancelled');
    await stream.until((e) => e.some(finished));
    const doneAt = stream.events.findIndex(finished);
    const final = msg(stream.events[doneAt] as Received);
    expect(final.status).toBe('cancelled');
    expect(final.content.length).toBeGreaterThan(0);
    expect(final.content.length).toBeLessThan(words(300).join('').length);
    expect(applyDeltas(stream.events, reply.id)).toBe(final.content);
    // A message sent now arrives after anything the stopped reply could still have sent.
    await a.api.message.send.mutate({ channelId, content: 'after the stop' });
    await stream.until((e) => e.some((x) => x.data.type === 'message.created' && msg(x).content === 'after the stop'));
    expect(stream.events.slice(doneAt + 1).filter((e) => e.data.type === 'message.delta')).toEqual([]);
    expect(fake?.abortedByClient).toBe(1);
  });

  it('regenerate replaces the text in place (same message id)', async () => {
    const { a, channelId, stream } = await setup({ kind: 'stream', tokens: ['first', ' answer'] });
    await a.api.message.send.mutate({ channelId, content: '@assistant try' });
    await stream.until((e) => e.some(finished));
    const first = msg(stream.events.find(finished) as Received);
    if (fake) fake.mode = { kind: 'stream', tokens: ['second', ' answer', ' now'] };
    const restarted = await a.api.message.retry.mutate({ messageId: first.id });
    expect(restarted).toMatchObject({ id: first.id, status: 'streaming', content: '' });
    await stream.until((e) => e.filter(finished).length === 2);
    const second = msg(stream.events.filter(finished)[1] as Received);
    expect(second).toMatchObject({ id: first.id, status: 'complete', content: 'second answer now' });
    const page = await a.api.message.history.query({ channelId });
    expect(page.items.filter((m) => m.role === 'assistant')).toHaveLength(1);
    expect(page.items[0]?.content).toBe('second answer now');
  });

  it.each([
    ['401', { kind: 'status', status: 401 } as FakeMode, /refused the API key/],
    ['500', { kind: 'status', status: 500 } as FakeMode, /failed \(HTTP 500\)/],
    ['a broken stream', { kind: 'broken', tokensBefore: ['partial'] } as FakeMode, /malformed|failed/],
  ])('ends in failed with a readable reason on %s, and the chat keeps working', async (_name, mode, reason) => {
    const { a, channelId, stream } = await setup(mode);
    await a.api.message.send.mutate({ channelId, content: '@assistant hi' });
    await stream.until((e) => e.some(finished));
    const failed = msg(stream.events.find(finished) as Received);
    expect(failed.status).toBe('failed');
    expect(failed.meta?.error).toMatch(reason);
    const after = await a.api.message.send.mutate({ channelId, content: 'still chatting' });
    expect(after.content).toBe('still chatting');
  });

  it('ends in failed when the endpoint refuses connections', async () => {
    const port = await freePort();
    const { a, channelId, stream } = await setup({ baseURL: `http://127.0.0.1:${port}/v1` });
    await a.api.message.send.mutate({ channelId, content: '@assistant anyone there?' });
    await stream.until((e) => e.some(finished));
    expect(msg(stream.events.find(finished) as Received).meta?.error).toMatch(/could not reach the model endpoint/);
  });

  it('a subscriber joining mid-stream gets the text so far, then the rest', async () => {
    const { server, a, channelId, stream } = await setup({ kind: 'stream', tokens: words(60), delayMs: 10 });
    await a.api.message.send.mutate({ channelId, content: '@assistant go' });
    await stream.until((e) => e.filter((x) => x.data.type === 'message.delta').length >= 3);
    const bob = await server.signup('bob');
    const b = server.client(bob.token);
    const page = await b.api.message.history.query({ channelId });
    const reply = page.items.find((m) => m.role === 'assistant');
    if (!reply) throw new Error('no reply in history');
    expect(reply.status).toBe('streaming');
    const late = recordChannel(b, channelId, page.eventId);
    await late.until((e) => e.some(finished), 10_000);
    const firstDelta = late.events.find((e) => e.data.type === 'message.delta');
    expect(firstDelta?.data).toMatchObject({ messageId: reply.id, index: 0 });
    expect(String(firstDelta?.data.text ?? '').length).toBeGreaterThan(0);
    const final = msg(late.events.find(finished) as Received);
    expect(applyDeltas(late.events, reply.id, reply.content)).toBe(final.content);
    expect(final.content).toBe(words(60).join(''));
  });

  it('allows one streaming reply per person at a time (TOO_MANY_REQUESTS)', async () => {
    const { a, channelId, stream } = await setup({ kind: 'stream', tokens: words(100), delayMs: 10 });
    await a.api.message.send.mutate({ channelId, content: '@assistant one' });
    await expect(a.api.message.send.mutate({ channelId, content: '@assistant two' })).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    const page = await a.api.message.history.query({ channelId });
    expect(page.items.map((m) => m.content)).not.toContain('@assistant two');
    const reply = page.items.find((m) => m.role === 'assistant');
    await a.api.message.cancel.mutate({ messageId: reply?.id ?? '' });
    await stream.until((e) => e.some(finished));
    await expect(a.api.message.send.mutate({ channelId, content: '@assistant two' })).resolves.toBeTruthy();
  });

  it('the built-in offline model answers without any endpoint and says what it is', async () => {
    const { a, channelId, stream } = await setup('offline');
    await a.api.message.send.mutate({ channelId, content: '@assistant help' });
    await stream.until((e) => e.some(finished));
    const reply = msg(stream.events.find(finished) as Received);
    expect(reply).toMatchObject({ status: 'complete', meta: { provider: 'hubbub-offline' } });
    expect(reply.content).toMatch(/built-in offline model/);
    expect(reply.content).toMatch(/OPENAI_BASE_URL/);
  });

  it('a server killed mid-stream leaves the reply failed ("interrupted"), not streaming', async () => {
    fake = await startFakeOpenAI({ kind: 'stream', tokens: words(500), delayMs: 20 });
    const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-crash-'));
    dirs.push(dataDir);
    const port = await freePort();
    const serverDir = fileURLToPath(new URL('..', import.meta.url));
    child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER_MAIN], {
      cwd: serverDir,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        HUBBUB_DATA_DIR: dataDir,
        OPENAI_BASE_URL: fake.baseURL,
        HUBBUB_MODEL: 'fake-model',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    await vi.waitFor(async () => expect((await fetch(`${base}/healthz`).catch(() => null))?.ok).toBe(true), {
      timeout: 20_000,
      interval: 50,
    });
    const signup = await fetch(`${base}/trpc/auth.signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: 'carol', password: 'correct horse battery' }),
    });
    const { token } = ((await signup.json()) as { result: { data: { token: string } } }).result.data;
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const list = await fetch(`${base}/trpc/channel.list`, { headers: auth });
    const channels = ((await list.json()) as { result: { data: { items: { id: string; slug: string }[] } } }).result
      .data.items;
    const channelId = channels.find((c) => c.slug === 'general')?.id;
    await fetch(`${base}/trpc/message.send`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ channelId, content: '@assistant tell me everything' }),
    });
    // Killed mid-reply: a few tokens are out.
    await vi.waitFor(() => expect(fake?.chunksSent).toBeGreaterThanOrEqual(5), { timeout: 10_000 });
    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));

    server = await startTestServer({ dataDir });
    const page = await server.client(token).api.message.history.query({ channelId: channelId ?? '' });
    const reply = page.items.find((m) => m.role === 'assistant');
    expect(reply?.status).toBe('failed');
    expect(reply?.meta?.error).toMatch(/interrupted/);
  }, 60_000);
});

/** The fake endpoint's model, counting the replies generating at once (from the request to the last token). */
function countingModel(baseURL: string) {
  const inner = createOpenAICompatibleModel({ baseURL, apiKey: 'sk-test', model: 'fake-model' });
  const counts = { active: 0, max: 0, calls: 0 };
  const base = inner.languageModel;
  const languageModel: LanguageModelV3 = {
    specificationVersion: 'v3',
    provider: base.provider,
    modelId: base.modelId,
    supportedUrls: base.supportedUrls,
    doGenerate: (options) => base.doGenerate(options),
    async doStream(options) {
      counts.calls++;
      counts.active++;
      counts.max = Math.max(counts.max, counts.active);
      let ended = false;
      const end = () => {
        if (!ended) counts.active--;
        ended = true;
      };
      try {
        const result = await base.doStream(options);
        const reader = result.stream.getReader();
        const stream = new ReadableStream<LanguageModelV3StreamPart>({
          async pull(controller) {
            try {
              const next = await reader.read();
              if (next.done) {
                end();
                controller.close();
              } else controller.enqueue(next.value);
            } catch (error) {
              end();
              controller.error(error);
            }
          },
          cancel(reason) {
            end();
            return reader.cancel(reason);
          },
        });
        return { ...result, stream };
      } catch (error) {
        end();
        throw error;
      }
    },
  };
  const model: ModelProvider = { provider: inner.provider, model: inner.model, languageModel };
  return { model, counts };
}

/** A server whose assistant answers from the fake endpoint, the admin signed up, and `handles` signed up with clients. */
async function setupPeople(
  handles: string[],
  assistant: { maxConcurrent?: number; dailyReplies?: number; tokens?: string[]; delayMs?: number } = {},
) {
  fake = await startFakeOpenAI({
    kind: 'stream',
    tokens: assistant.tokens ?? words(15),
    delayMs: assistant.delayMs ?? 5,
  });
  const { model, counts } = countingModel(fake.baseURL);
  const daily = assistant.dailyReplies;
  server = await startTestServer({
    assistant: {
      model,
      deltaIntervalMs: 10,
      maxConcurrent: assistant.maxConcurrent,
      dailyReplies: daily,
      dailyReplyLimiter: daily
        ? createMemoryRateLimiter({ name: 'assistant-replies', points: daily, durationMs: 24 * 3_600_000 })
        : undefined,
    },
  });
  const running = server;
  const root = await running.signup('root');
  const people = await Promise.all(handles.map((h) => running.signup(h)));
  const clients = people.map((p) => running.client(p.token));
  const watcher = clients[0] ?? running.client(root.token);
  const general = (await watcher.api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no general');
  const page = await watcher.api.message.history.query({ channelId: general.id });
  const stream = recordChannel(watcher, general.id, page.eventId);
  await stream.until((e) => e.some((x) => x.data.type === 'presence'));
  return { channelId: general.id, people, clients, admin: running.client(root.token), stream, counts };
}

const replyEvents = (events: Received[], id: string) => events.filter((e) => isReply(e) && msg(e).id === id);

/** One reply at a time, a long one generating for the first person and the second person's waiting behind it. */
async function oneGeneratingOneWaiting() {
  const setup = await setupPeople(['ann', 'ben'], { maxConcurrent: 1, tokens: words(300), delayMs: 10 });
  const { channelId, clients, stream } = setup;
  const [ann, ben] = clients as [(typeof clients)[0], (typeof clients)[0]];
  await ann.api.message.send.mutate({ channelId, content: '@assistant a long one' });
  await ben.api.message.send.mutate({ channelId, content: '@assistant me too' });
  const created = (e: Received) => e.data.type === 'message.created' && isReply(e);
  await stream.until((e) => e.filter(created).length === 2);
  const [generating, waiting] = stream.events.filter(created).map(msg) as [Msg, Msg];
  return { ...setup, ann, ben, generating, waiting };
}

/** Several sign-ups (scrypt) and replies per test, on a machine that may be busy. */
const LOAD_TEST_MS = 60_000;

describe('the assistant under load: a cap per instance, a line, a daily budget', () => {
  it(
    'six people asking at once with a cap of 2: two generate at a time, the others wait in line, then all complete',
    async () => {
      const handles = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
      const { channelId, clients, stream, counts } = await setupPeople(handles, { maxConcurrent: 2 });
      const sent = await Promise.all(
        clients.map((c, i) => c.api.message.send.mutate({ channelId, content: `@assistant question ${i}` })),
      );
      expect(sent).toHaveLength(6);
      await stream.until((e) => e.filter(finished).length >= 6, 20_000);

      expect(counts.calls).toBe(6);
      expect(counts.max).toBe(2);
      const created = stream.events.filter((e) => e.data.type === 'message.created' && isReply(e)).map(msg);
      expect(created).toHaveLength(6);
      // Every reply existed at once; the four beyond the cap showed their place in line.
      const queued = created.filter((m) => m.meta?.queuePosition !== undefined);
      expect(queued.map((m) => m.meta?.queuePosition).sort()).toEqual([1, 2, 3, 4]);
      for (const reply of queued) {
        const events = replyEvents(stream.events, reply.id);
        const positions = events.map((e) => msg(e).meta?.queuePosition).filter((p): p is number => p !== undefined);
        // The place only ever moves forward...
        expect(positions).toEqual([...positions].sort((x, y) => y - x));
        // ...and "waiting" is off the reply before its first word.
        const started = events.findIndex(
          (e) =>
            e.data.type === 'message.updated' &&
            msg(e).status === 'streaming' &&
            msg(e).meta?.queuePosition === undefined,
        );
        const firstDelta = stream.events.findIndex(
          (e) => e.data.type === 'message.delta' && e.data.messageId === reply.id,
        );
        expect(started).toBeGreaterThan(-1);
        expect(stream.events.indexOf(events[started] as Received)).toBeLessThan(firstDelta);
      }
      // Nothing lost: every question has its complete reply, deltas and stored text agree.
      for (const done of stream.events.filter(finished).map(msg)) {
        expect(done).toMatchObject({ status: 'complete', content: words(15).join('') });
        expect(done.meta?.queuePosition).toBeUndefined();
        expect(applyDeltas(stream.events, done.id)).toBe(done.content);
      }
      const page = await clients[0]?.api.message.history.query({ channelId });
      expect(
        page?.items
          .filter((m) => m.role === 'user')
          .map((m) => m.content)
          .sort(),
      ).toEqual(handles.map((_, i) => `@assistant question ${i}`));
      expect(page?.items.filter((m) => m.role === 'assistant' && m.status === 'complete')).toHaveLength(6);
    },
    LOAD_TEST_MS,
  );

  it(
    'stop on a reply waiting in line: cancelled and empty, the model never asked for it',
    async () => {
      const { ann, ben, generating, waiting, stream, counts } = await oneGeneratingOneWaiting();
      expect(generating.meta?.queuePosition).toBeUndefined();
      expect(waiting.meta?.queuePosition).toBe(1);
      // Ann may not stop Ben's reply; Ben may.
      await expect(ann.api.message.cancel.mutate({ messageId: waiting.id })).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
      const stopped = await ben.api.message.cancel.mutate({ messageId: waiting.id });
      expect(stopped).toMatchObject({ status: 'cancelled', content: '' });
      expect(stopped.meta?.queuePosition).toBeUndefined();
      await ann.api.message.cancel.mutate({ messageId: generating.id });
      await stream.until((e) => e.filter(finished).length === 2);
      expect(counts.calls).toBe(1);
      expect(fake?.requests).toHaveLength(1);
    },
    LOAD_TEST_MS,
  );

  it(
    'a shutdown ends replies waiting in line as failed ("interrupted"), like the one generating',
    async () => {
      const { channelId, stream } = await oneGeneratingOneWaiting();
      await stream.until((e) => e.some((x) => x.data.type === 'message.delta'));
      const running = server as TestServer;
      const dataDir = running.dataDir;
      dirs.push(dataDir);
      await running.stop({ keepData: true });

      server = await startTestServer({ dataDir, secret: running.secret });
      const dee = await server.signup('dee');
      const page = await server.client(dee.token).api.message.history.query({ channelId });
      const replies = page.items.filter((m) => m.role === 'assistant').sort((x, y) => x.seq - y.seq);
      expect(replies).toHaveLength(2);
      for (const reply of replies) {
        expect(reply.status).toBe('failed');
        expect(reply.meta?.error).toMatch(/^interrupted/);
        expect(reply.meta?.queuePosition).toBeUndefined();
      }
      // The first had written something; the second never reached the model.
      expect(replies.map((r) => r.content === '')).toEqual([false, true]);
    },
    LOAD_TEST_MS,
  );

  it(
    'a member who did not ask cannot regenerate a reply; an admin can, and the earlier text is kept',
    async () => {
      const { channelId, clients, admin, stream } = await setupPeople(['amy', 'bo'], { tokens: ['first', ' answer'] });
      const [amy, bo] = clients as [(typeof clients)[0], (typeof clients)[0]];
      await amy.api.message.send.mutate({ channelId, content: '@assistant try' });
      await stream.until((e) => e.some(finished));
      const first = msg(stream.events.find(finished) as Received);

      await expect(bo.api.message.retry.mutate({ messageId: first.id })).rejects.toMatchObject({
        message: 'only the person who asked (or an admin) can regenerate this reply',
        data: { code: 'FORBIDDEN' },
      });
      if (fake) fake.mode = { kind: 'stream', tokens: ['second', ' answer'] };
      const restarted = await admin.api.message.retry.mutate({ messageId: first.id });
      expect(restarted).toMatchObject({ id: first.id, status: 'streaming', content: '' });
      await stream.until((e) => e.filter(finished).length === 2);
      const [reply] = (await amy.api.message.history.query({ channelId })).items.filter((m) => m.role === 'assistant');
      expect(reply).toMatchObject({ id: first.id, status: 'complete', content: 'second answer' });
      expect(reply?.meta?.requestedBy).toBe(first.meta?.requestedBy);
      expect(reply?.meta?.versions).toEqual([
        { text: 'first answer', model: 'fake-model', at: expect.any(String), status: 'complete' },
      ]);
    },
    LOAD_TEST_MS,
  );

  it(
    'over the day’s budget a question is refused before it is stored, saying when more come',
    async () => {
      const { channelId, clients, stream } = await setupPeople(['dee'], { dailyReplies: 1, tokens: ['ok'] });
      const [dee] = clients as [(typeof clients)[0]];
      await dee.api.message.send.mutate({ channelId, content: '@assistant one' });
      await stream.until((e) => e.some(finished));
      const reply = msg(stream.events.find(finished) as Received);

      const refusal = { data: { code: 'TOO_MANY_REQUESTS' } };
      const over = dee.api.message.send.mutate({ channelId, content: '@assistant two' });
      await expect(over).rejects.toMatchObject(refusal);
      await expect(over).rejects.toThrow(/^You have used today's 1 assistant reply; more in 2[34] h$/);
      await expect(dee.api.message.retry.mutate({ messageId: reply.id })).rejects.toMatchObject(refusal);
      const page = await dee.api.message.history.query({ channelId });
      expect(page.items.map((m) => m.content)).not.toContain('@assistant two');
      // Messages without @assistant are not counted.
      await expect(dee.api.message.send.mutate({ channelId, content: 'plain words' })).resolves.toBeTruthy();
    },
    LOAD_TEST_MS,
  );
});
