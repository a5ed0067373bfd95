import { APICallError } from '@ai-sdk/provider';
import { createMemoryBus, createMemoryRateLimiter } from '@hubbub/bus';
import { AppError, type AppErrorCode, type Bus, type BusEvent, type Message, type User } from '@hubbub/core';
import { createSqliteStores, type Stores } from '@hubbub/db';
import { tool } from 'ai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Assistant, type AssistantOptions, CONTROL_TOPIC } from './assistant';
import type { ModelProvider } from './hand-made-model';
import { describeModelError } from './model-errors';
import { createOfflineModel, offlineAnswer, tokenize } from './offline-model';
import { DEFAULT_SYSTEM_PROMPT } from './prompt';
import type { ReplyAgent } from './reply-agent';
import { KEPT_VERSIONS } from './reply-versions';
import { type ScriptedCall, scriptedModel } from './test/scripted-model';

type Delta = { messageId: string; index: number; text: string };

/** Everything the bus carries on one channel, with a way to wait for a given event. */
async function record(bus: Bus, channelId: string) {
  const events: BusEvent[] = [];
  let waiters: { match: (e: BusEvent) => boolean; resolve: (e: BusEvent) => void }[] = [];
  await bus.subscribe(channelId, (event) => {
    events.push(event);
    waiters = waiters.filter((w) => {
      if (!w.match(event)) return true;
      w.resolve(event);
      return false;
    });
  });
  return {
    events,
    /** The first event (already seen, or still to come) that matches. */
    until(match: (e: BusEvent) => boolean): Promise<BusEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
type Recorder = Awaited<ReturnType<typeof record>>;

const deltaOf = (e: BusEvent, id: string): Delta | null =>
  e.kind === 'signal' && e.signal.type === 'message.delta' && e.signal.messageId === id ? e.signal : null;
const updateOf = (e: BusEvent, id: string): Message | null =>
  e.kind === 'change' && e.event.change.type === 'message.updated' && e.event.change.message.id === id
    ? e.event.change.message
    : null;
const isFinal = (id: string) => (e: BusEvent) => {
  const m = updateOf(e, id);
  return m !== null && m.status !== 'streaming';
};
/** Waits until the deltas of `id` cover `chars` characters. */
const streamed = (rec: Recorder, id: string, chars: number) =>
  rec.until((e) => {
    const d = deltaOf(e, id);
    return d !== null && d.index + d.text.length >= chars;
  });
/** Applies deltas the way a client does. */
const applyDeltas = (events: BusEvent[], id: string, from = '') =>
  events.reduce((content, e) => {
    const d = deltaOf(e, id);
    return d ? content.slice(0, d.index) + d.text : content;
  }, from);

async function expectAppError(promise: Promise<unknown> | (() => unknown), code: AppErrorCode) {
  const error = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected AppError ${code}`).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

let stores: Stores;
let bus: Bus;
let admin: User;
let alice: User;
let bob: User;
let channelId: string;
let rec: Recorder;
let assistants: Assistant[];

beforeEach(async () => {
  stores = await createSqliteStores(':memory:');
  bus = createMemoryBus();
  // The first user of a database is the admin.
  admin = await stores.users.create({ handle: 'root', displayName: 'Root', passwordHash: 'x' });
  alice = await stores.users.create({ handle: 'alice', displayName: 'Alice', passwordHash: 'x' });
  bob = await stores.users.create({ handle: 'bob', displayName: 'Bob', passwordHash: 'x' });
  const general = await stores.chat.channelBySlug('general');
  if (!general) throw new Error('no general channel');
  channelId = general.id;
  rec = await record(bus, channelId);
  assistants = [];
});

afterEach(async () => {
  for (const a of assistants) await a.stopAll();
  await bus.close();
  await stores.close();
  vi.useRealTimers();
});

function makeAssistant(model: ModelProvider, options: Partial<AssistantOptions> = {}) {
  const assistant = new Assistant({ chat: stores.chat, bus, model, deltaIntervalMs: 0, ...options });
  assistants.push(assistant);
  return assistant;
}

async function ask(user: User, content: string): Promise<Message> {
  const { message } = await stores.chat.sendMessage({ channelId, authorId: user.id, content });
  return message;
}

describe('Assistant.reply', () => {
  it('creates a streaming reply, streams deltas that rebuild the stored text, and ends complete', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const trigger = await ask(alice, '@assistant say hello');

    const reply = await assistant.reply(trigger, alice);
    expect(reply).toMatchObject({ role: 'assistant', status: 'streaming', content: '', authorId: null, channelId });
    expect(reply.meta).toEqual({ provider: 'scripted', model: 'scripted-1', requestedBy: alice.id });
    const created = rec.events.find((e) => e.kind === 'change' && e.event.change.type === 'message.created');
    expect(created).toMatchObject({ kind: 'change', event: { channelId, change: { message: { id: reply.id } } } });
    expect(created?.kind === 'change' && created.event.offset).toBeGreaterThan(0);
    expect(assistant.streaming).toBe(1);

    const call = await scripted.nextCall();
    // The model sees the system prompt and the question, with the asker's name.
    expect(call.messages).toEqual([
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: 'Alice: @assistant say hello' },
    ]);
    call.send('Hel', 'lo, ');
    call.send('Alice', '!');
    call.end();

    const final = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    expect(final).toMatchObject({ id: reply.id, status: 'complete', content: 'Hello, Alice!' });
    expect(final?.meta).toEqual({ provider: 'scripted', model: 'scripted-1', tokenCount: 4, requestedBy: alice.id });
    const stored = await stores.chat.messageById(reply.id);
    expect(stored).toMatchObject({ status: 'complete', content: 'Hello, Alice!' });
    expect(stored?.meta).toEqual({ provider: 'scripted', model: 'scripted-1', tokenCount: 4, requestedBy: alice.id });
    expect(applyDeltas(rec.events, reply.id)).toBe('Hello, Alice!');
    expect(assistant.streaming).toBe(0);
    expect(call.closed).toBe(true);
  });

  it('with the offline model: deltas concatenate to the stored answer and tokenCount counts its tokens', async () => {
    const assistant = makeAssistant(createOfflineModel({ tokenIntervalMs: 1 }), { deltaIntervalMs: 5 });
    const trigger = await ask(alice, '@assistant help');
    const reply = await assistant.reply(trigger, alice);
    const final = updateOf(await rec.until(isFinal(reply.id)), reply.id);

    const expected = await offlineAnswer([
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: 'Alice: @assistant help' },
    ]);
    expect(final?.status).toBe('complete');
    expect(final?.content).toBe(expected);
    expect(final?.meta).toEqual({
      provider: 'hubbub-offline',
      model: 'hubbub-offline-1',
      tokenCount: tokenize(expected).length,
      requestedBy: alice.id,
    });
    const deltas = rec.events.map((e) => deltaOf(e, reply.id)).filter((d) => d !== null);
    expect(deltas.length).toBeGreaterThan(1);
    let sent = 0;
    for (const d of deltas) {
      expect(d.index).toBe(sent);
      sent += d.text.length;
    }
    expect(applyDeltas(rec.events, reply.id)).toBe(expected);
    expect((await stores.chat.messageById(reply.id))?.content).toBe(expected);
  });

  it('gives the model the channel history before the reply, oldest first, within the budget', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { systemPrompt: 'SYS', historyBudgetChars: 45 });
    await ask(bob, 'an old message that will not fit into the budget');
    await ask(bob, 'deploy is green');
    const trigger = await ask(alice, '@assistant ok?');
    const reply = await assistant.reply(trigger, alice);
    await ask(bob, 'said after the reply started');
    const call = await scripted.nextCall();
    expect(call.messages).toEqual([
      { role: 'system', content: 'SYS' },
      { role: 'user', content: 'Bob: deploy is green' },
      { role: 'user', content: 'Alice: @assistant ok?' },
    ]);
    call.send('yes');
    call.end();
    expect(updateOf(await rec.until(isFinal(reply.id)), reply.id)?.content).toBe('yes');
  });
});

describe('Assistant.cancel', () => {
  it('aborts the model, keeps the partial text as cancelled, and sends no delta after the final update', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant write an essay'), alice);
    const call = await scripted.nextCall();
    call.send('Once ', 'upon ');
    await streamed(rec, reply.id, 'Once upon '.length);

    await assistant.cancel(reply.id, alice);
    expect(call.signal.aborted).toBe(true);
    expect(call.closed).toBe(true);
    // Whatever the model would still have said is not relayed.
    call.send('a time');

    const stored = await stores.chat.messageById(reply.id);
    expect(stored).toMatchObject({ status: 'cancelled', content: 'Once upon ' });
    expect(stored?.meta).toEqual({ provider: 'scripted', model: 'scripted-1', requestedBy: alice.id });
    const finalAt = rec.events.findIndex(isFinal(reply.id));
    expect(finalAt).toBeGreaterThan(0);
    expect(updateOf(rec.events[finalAt] as BusEvent, reply.id)).toMatchObject({
      status: 'cancelled',
      content: 'Once upon ',
    });
    expect(rec.events.slice(finalAt + 1).filter((e) => deltaOf(e, reply.id))).toEqual([]);
    expect(applyDeltas(rec.events, reply.id)).toBe('Once upon ');
    expect(assistant.streaming).toBe(0);
  });

  it('relays text the model produced before the cancel even if it was still pending', async () => {
    const scripted = scriptedModel();
    // A long interval: the second chunk waits in the coalescer when the cancel comes.
    const assistant = makeAssistant(scripted.model, { deltaIntervalMs: 60_000 });
    const reply = await assistant.reply(await ask(alice, '@assistant go'), alice);
    const call = await scripted.nextCall();
    call.send('first ');
    await streamed(rec, reply.id, 6);
    call.send('second');
    await call.drained();
    // The chunk passes the AI SDK's stream on its way to the assistant.
    await vi.waitFor(() =>
      expect(assistant.inFlight(channelId, reply.seq)).toEqual([{ messageId: reply.id, text: 'first second' }]),
    );
    expect(applyDeltas(rec.events, reply.id)).toBe('first ');
    await assistant.cancel(reply.id, alice);
    const finalAt = rec.events.findIndex(isFinal(reply.id));
    expect(applyDeltas(rec.events.slice(0, finalAt), reply.id)).toBe('first second');
    expect((await stores.chat.messageById(reply.id))?.content).toBe('first second');
  });

  it('is FORBIDDEN for another member, allowed for an admin', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    call.send('partial');
    await streamed(rec, reply.id, 7);

    await expectAppError(assistant.cancel(reply.id, bob), 'FORBIDDEN');
    expect(call.signal.aborted).toBe(false);
    expect(assistant.streaming).toBe(1);

    await assistant.cancel(reply.id, admin);
    expect(call.signal.aborted).toBe(true);
    expect(await stores.chat.messageById(reply.id)).toMatchObject({ status: 'cancelled', content: 'partial' });
  });

  it('is CONFLICT for a finished reply, BAD_REQUEST for a person’s message, NOT_FOUND for an unknown id', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const trigger = await ask(alice, '@assistant hi');
    const reply = await assistant.reply(trigger, alice);
    const call = await scripted.nextCall();
    call.send('done');
    call.end();
    await rec.until(isFinal(reply.id));

    await expectAppError(assistant.cancel(reply.id, alice), 'CONFLICT');
    await expectAppError(assistant.cancel(trigger.id, alice), 'BAD_REQUEST');
    await expectAppError(assistant.cancel('no-such-message', alice), 'NOT_FOUND');
  });

  it('stops a reply streaming on another instance over the bus, with the asker’s rights checked here', async () => {
    const scripted = scriptedModel();
    const running = makeAssistant(scripted.model);
    // A second instance sharing the store and the bus; each instance listens on the control topic.
    const other = makeAssistant(scriptedModel().model, { remoteCancelTimeoutMs: 2000 });
    await bus.subscribe(CONTROL_TOPIC, (e) => {
      if (e.kind === 'control') running.handleControl(e.command);
    });
    const reply = await running.reply(await ask(alice, '@assistant go on'), alice);
    const call = await scripted.nextCall();
    call.send('partial ');
    await streamed(rec, reply.id, 'partial '.length);

    await expectAppError(other.cancel(reply.id, bob), 'FORBIDDEN');
    await other.cancel(reply.id, alice);
    expect(call.signal.aborted).toBe(true);
    expect(await stores.chat.messageById(reply.id)).toMatchObject({ status: 'cancelled', content: 'partial ' });
  });

  it('is CONFLICT when no instance answers for a reply stored as streaming', async () => {
    const assistant = makeAssistant(scriptedModel().model, { remoteCancelTimeoutMs: 200 });
    const { message } = await stores.chat.sendMessage({
      channelId,
      authorId: null,
      role: 'assistant',
      status: 'streaming',
      content: 'elsewhere',
      meta: { requestedBy: alice.id },
    });
    await expectAppError(assistant.cancel(message.id, alice), 'CONFLICT');
  });
});

describe('Assistant concurrency limits', () => {
  it('refuses a second reply for the same person while one streams, and allows it after', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const first = await assistant.reply(await ask(alice, '@assistant one'), alice);
    const call = await scripted.nextCall();

    await expectAppError(() => assistant.assertCanStart(alice.id), 'TOO_MANY_REQUESTS');
    const second = await ask(alice, '@assistant two');
    await expectAppError(assistant.reply(second, alice), 'TOO_MANY_REQUESTS');
    // No reply message was created for the refused request.
    expect(rec.events.filter((e) => e.kind === 'change' && e.event.change.type === 'message.created')).toHaveLength(1);
    // Someone else may still ask.
    expect(() => assistant.assertCanStart(bob.id)).not.toThrow();

    call.send('ok');
    call.end();
    await rec.until(isFinal(first.id));
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();
    const again = await assistant.reply(second, alice);
    expect(again.status).toBe('streaming');
    const call2 = await scripted.nextCall();
    call2.send('again');
    call2.end();
    expect(updateOf(await rec.until(isFinal(again.id)), again.id)?.status).toBe('complete');
  });

  it('frees the slot after a cancel and after a failure', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const first = await assistant.reply(await ask(alice, '@assistant one'), alice);
    await scripted.nextCall();
    await assistant.cancel(first.id, alice);
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();

    const second = await assistant.reply(await ask(alice, '@assistant two'), alice);
    (await scripted.nextCall()).fail(new Error('boom'));
    await rec.until(isFinal(second.id));
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();
  });

  it('honours maxConcurrentPerUser', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrentPerUser: 2 });
    await assistant.reply(await ask(alice, '@assistant one'), alice);
    await assistant.reply(await ask(alice, '@assistant two'), alice);
    await expectAppError(assistant.reply(await ask(alice, '@assistant three'), alice), 'TOO_MANY_REQUESTS');
    expect(assistant.streaming).toBe(2);
  });

  it('refuses the second of two simultaneous requests from the same person', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const one = await ask(alice, '@assistant one');
    const two = await ask(alice, '@assistant two');
    const results = await Promise.allSettled([assistant.reply(one, alice), assistant.reply(two, alice)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const refused = results[1];
    expect(refused?.status === 'rejected' && (refused.reason as AppError).code).toBe('TOO_MANY_REQUESTS');
    expect(assistant.streaming).toBe(1);
    expect(rec.events.filter((e) => e.kind === 'change' && e.event.change.type === 'message.created')).toHaveLength(1);
  });
});

describe('Assistant.retry', () => {
  it('restarts the same message from empty text and ends complete with the new text', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant pick a number'), alice);
    const first = await scripted.nextCall();
    first.send('Seven, ', 'definitely.');
    first.end();
    await rec.until(isFinal(reply.id));
    const before = rec.events.length;

    const reset = await assistant.retry(reply.id, alice);
    expect(reset).toMatchObject({ id: reply.id, status: 'streaming', content: '', seq: reply.seq });
    const firstVersion = { text: 'Seven, definitely.', model: 'scripted-1', at: reply.createdAt, status: 'complete' };
    expect(reset.meta).toEqual({
      provider: 'scripted',
      model: 'scripted-1',
      requestedBy: alice.id,
      regeneratedAt: expect.any(String),
      versions: [firstVersion],
    });
    const resetEvent = rec.events[before];
    expect(resetEvent && updateOf(resetEvent, reply.id)).toMatchObject({ status: 'streaming', content: '' });

    const second = await scripted.nextCall();
    expect(second.messages.at(-1)).toEqual({ role: 'user', content: 'Alice: @assistant pick a number' });
    second.send('Four.');
    second.end();
    const final = updateOf(await rec.until((e) => rec.events.indexOf(e) > before && isFinal(reply.id)(e)), reply.id);
    expect(final).toMatchObject({ id: reply.id, status: 'complete', content: 'Four.' });
    expect(final?.meta).toEqual({
      provider: 'scripted',
      model: 'scripted-1',
      tokenCount: 1,
      requestedBy: alice.id,
      regeneratedAt: reset.meta?.regeneratedAt,
      versions: [firstVersion],
    });
    // A client that had the old text, then the reset, then the deltas ends with the new text.
    const after = rec.events.slice(before);
    expect(applyDeltas(after, reply.id, 'Seven, definitely.')).toBe('Four.');
    expect(await stores.chat.messageById(reply.id)).toMatchObject({ status: 'complete', content: 'Four.' });
  });

  it('clears the error of a failed reply', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    (await scripted.nextCall()).fail(new Error('boom'));
    await rec.until(isFinal(reply.id));
    expect((await stores.chat.messageById(reply.id))?.meta?.error).toBe('the model failed: boom');

    const before = rec.events.length;
    const reset = await assistant.retry(reply.id, alice);
    expect(reset.meta?.error).toBeUndefined();
    const call = await scripted.nextCall();
    call.send('fine');
    call.end();
    await rec.until((e) => rec.events.indexOf(e) >= before && isFinal(reply.id)(e));
    expect(await stores.chat.messageById(reply.id)).toMatchObject({ status: 'complete', content: 'fine' });
    // An empty failed attempt is no version worth keeping.
    expect((await stores.chat.messageById(reply.id))?.meta).toEqual({
      provider: 'scripted',
      model: 'scripted-1',
      tokenCount: 1,
      requestedBy: alice.id,
      regeneratedAt: expect.any(String),
    });
  });

  it('is CONFLICT while the reply streams, and for two simultaneous retries', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrentPerUser: 5 });
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    await expectAppError(assistant.retry(reply.id, alice), 'CONFLICT');
    expect(call.signal.aborted).toBe(false);
    call.send('done');
    call.end();
    await rec.until(isFinal(reply.id));

    const results = await Promise.allSettled([assistant.retry(reply.id, alice), assistant.retry(reply.id, admin)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const refused = results[1];
    expect(refused?.status === 'rejected' && (refused.reason as AppError).code).toBe('CONFLICT');
    expect(assistant.streaming).toBe(1);
    await scripted.nextCall();
    expect(scripted.calls).toHaveLength(2);
  });

  it('is BAD_REQUEST for a person’s message and NOT_FOUND for an unknown id', async () => {
    const assistant = makeAssistant(scriptedModel().model);
    const mine = await ask(alice, 'hello');
    await expectAppError(assistant.retry(mine.id, alice), 'BAD_REQUEST');
    await expectAppError(assistant.retry('nope', alice), 'NOT_FOUND');
  });
});

describe('Assistant failures', () => {
  it('a model that throws fails the reply with a readable reason, keeps the text, and tells onFailure', async () => {
    const scripted = scriptedModel();
    const onFailure = vi.fn();
    const assistant = makeAssistant(scripted.model, { onFailure });
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    call.send('I was saying');
    const error = new APICallError({
      message: 'Too Many Requests',
      url: 'http://model.local/v1/chat/completions',
      requestBodyValues: {},
      statusCode: 429,
    });
    call.fail(error);

    const final = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    const reason = describeModelError(error);
    expect(reason).toContain('429');
    expect(final).toMatchObject({ status: 'failed', content: 'I was saying' });
    expect(final?.meta).toEqual({ provider: 'scripted', model: 'scripted-1', error: reason, requestedBy: alice.id });
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(onFailure).toHaveBeenCalledWith(reason, error, reply.id);
    expect(assistant.streaming).toBe(0);
  });

  it('a model that fails before any text gives a failed, empty reply', async () => {
    const scripted = scriptedModel();
    const onFailure = vi.fn();
    const assistant = makeAssistant(scripted.model, { onFailure });
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    (await scripted.nextCall()).fail(refused);
    const final = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    expect(final).toMatchObject({ status: 'failed', content: '' });
    expect(final?.meta?.error).toBe('could not reach the model endpoint (connection refused): is it running?');
    expect(onFailure).toHaveBeenCalledWith(final?.meta?.error, refused, reply.id);
  });

  it('an empty (or blank) model reply is failed', async () => {
    const scripted = scriptedModel();
    const onFailure = vi.fn();
    const assistant = makeAssistant(scripted.model, { onFailure });
    const empty = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    (await scripted.nextCall()).end();
    const final = updateOf(await rec.until(isFinal(empty.id)), empty.id);
    expect(final).toMatchObject({ status: 'failed', content: '' });
    expect(final?.meta?.error).toBe('the model returned an empty reply');

    const blank = await assistant.reply(await ask(alice, '@assistant hi again'), alice);
    const call = await scripted.nextCall();
    call.send('  ', '\n');
    call.end();
    const blankFinal = updateOf(await rec.until(isFinal(blank.id)), blank.id);
    expect(blankFinal).toMatchObject({ status: 'failed' });
    expect(blankFinal?.meta?.error).toBe('the model returned an empty reply');
  });

  it('a model silent for idleTimeoutMs is given up on (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { idleTimeoutMs: 5_000 });
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    call.send('thinking');
    await streamed(rec, reply.id, 8);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(call.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(call.signal.aborted).toBe(true);
    const final = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    expect(final).toMatchObject({ status: 'failed', content: 'thinking' });
    expect(final?.meta?.error).toBe('the model did not answer in time');
  });
});

describe('Assistant when the reply cannot be stored', () => {
  it('survives the reply being deleted mid-stream: reports it, frees the slot, and does not reject unhandled', async () => {
    const scripted = scriptedModel();
    const failures: { reason: string; messageId: string }[] = [];
    let reported: () => void = () => {};
    const onFailure = (reason: string, _error: unknown, messageId: string) => {
      failures.push({ reason, messageId });
      reported();
    };
    const assistant = makeAssistant(scripted.model, { onFailure });

    // Ended by the model: nobody awaits the reply, so a rejection would go unhandled.
    const first = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    call.send('soon gone');
    await streamed(rec, first.id, 9);
    // Deleted behind the assistant's back (a race with an admin's delete, say).
    await stores.chat.deleteMessage(first.id);
    const wasReported = new Promise<void>((resolve) => {
      reported = resolve;
    });
    call.end();
    await wasReported;
    expect(failures).toEqual([{ reason: expect.stringMatching(/^could not finish the reply: /), messageId: first.id }]);
    expect(assistant.streaming).toBe(0);
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();

    // Ended by a cancel: cancel() itself still resolves.
    const second = await assistant.reply(await ask(alice, '@assistant again'), alice);
    const call2 = await scripted.nextCall();
    call2.send('also gone');
    await streamed(rec, second.id, 9);
    await stores.chat.deleteMessage(second.id);
    await assistant.cancel(second.id, alice);
    expect(failures).toHaveLength(2);
    expect(failures[1]?.messageId).toBe(second.id);
    expect(assistant.streaming).toBe(0);
  });
});

describe('Assistant.inFlight', () => {
  it('returns the text so far of replies streaming in the channel, up to the given position', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    const call = await scripted.nextCall();
    // Nothing to report before the first text.
    expect(assistant.inFlight(channelId, reply.seq)).toEqual([]);

    call.send('Hello ', 'wor');
    await streamed(rec, reply.id, 9);
    expect(assistant.inFlight(channelId, reply.seq)).toEqual([{ messageId: reply.id, text: 'Hello wor' }]);
    expect(assistant.inFlight(channelId, reply.seq + 100)).toEqual([{ messageId: reply.id, text: 'Hello wor' }]);
    // A subscriber that does not know the reply yet, or another channel, gets nothing.
    expect(assistant.inFlight(channelId, reply.seq - 1)).toEqual([]);
    expect(assistant.inFlight('other-channel', reply.seq)).toEqual([]);

    call.send('ld');
    call.end();
    await rec.until(isFinal(reply.id));
    expect(assistant.inFlight(channelId, reply.seq)).toEqual([]);
  });
});

describe('Assistant.recoverInterrupted', () => {
  it('fails replies left streaming by a crash, with an "interrupted" reason, and publishes the change', async () => {
    const left = await stores.chat.sendMessage({
      channelId,
      authorId: null,
      role: 'assistant',
      status: 'streaming',
      content: 'half a thought',
      meta: { provider: 'hubbub-offline', model: 'hubbub-offline-1' },
    });
    const done = await stores.chat.sendMessage({ channelId, authorId: null, role: 'assistant', content: 'finished' });
    const person = await ask(alice, 'hi');

    const assistant = makeAssistant(scriptedModel().model);
    expect(await assistant.recoverInterrupted()).toBe(1);

    const recovered = await stores.chat.messageById(left.message.id);
    expect(recovered).toMatchObject({ status: 'failed', content: 'half a thought' });
    expect(recovered?.meta?.provider).toBe('hubbub-offline');
    expect(recovered?.meta?.error).toMatch(/interrupted/);
    expect(updateOf(await rec.until(isFinal(left.message.id)), left.message.id)?.status).toBe('failed');
    expect((await stores.chat.messageById(done.message.id))?.status).toBe('complete');
    expect((await stores.chat.messageById(person.id))?.status).toBe('complete');
    expect(await stores.chat.streamingMessages()).toEqual([]);
    expect(await assistant.recoverInterrupted()).toBe(0);
  });
});

describe('Assistant.stopAll', () => {
  it('ends every running reply as failed "interrupted", keeping the text so far', async () => {
    const scripted = scriptedModel();
    const onFailure = vi.fn();
    const assistant = makeAssistant(scripted.model, { onFailure });
    const a = await assistant.reply(await ask(alice, '@assistant one'), alice);
    const callA = await scripted.nextCall();
    const b = await assistant.reply(await ask(bob, '@assistant two'), bob);
    const callB = await scripted.nextCall();
    callA.send('alpha');
    callB.send('beta');
    await streamed(rec, a.id, 5);
    await streamed(rec, b.id, 4);

    await assistant.stopAll();
    expect(callA.signal.aborted).toBe(true);
    expect(callB.signal.aborted).toBe(true);
    expect(assistant.streaming).toBe(0);
    for (const [id, text] of [
      [a.id, 'alpha'],
      [b.id, 'beta'],
    ] as const) {
      const stored = await stores.chat.messageById(id);
      expect(stored).toMatchObject({ status: 'failed', content: text });
      expect(stored?.meta?.error).toMatch(/^interrupted/);
      expect(updateOf(await rec.until(isFinal(id)), id)?.status).toBe('failed');
    }
    // A shutdown is not a model failure.
    expect(onFailure).not.toHaveBeenCalled();
    await assistant.stopAll();
  });
});

/** More people than the default three. */
async function people(...handles: string[]): Promise<User[]> {
  return Promise.all(handles.map((h) => stores.users.create({ handle: h, displayName: h, passwordHash: 'x' })));
}
const stored = async (id: string) => {
  const message = await stores.chat.messageById(id);
  if (!message) throw new Error(`no message ${id}`);
  return message;
};
const createdCount = () =>
  rec.events.filter((e) => e.kind === 'change' && e.event.change.type === 'message.created').length;
const openCalls = (calls: ScriptedCall[]) => calls.filter((c) => !c.closed).length;
const finishCall = (call: ScriptedCall, text: string) => {
  call.send(text);
  call.end();
};

describe('Assistant global cap and queue', () => {
  it('with a cap of 2, later replies wait in order with their place stored, and start as slots free', async () => {
    const [carol, dave] = (await people('carol', 'dave')) as [User, User];
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 2 });
    const r1 = await assistant.reply(await ask(alice, '@assistant one'), alice);
    const r2 = await assistant.reply(await ask(bob, '@assistant two'), bob);
    const r3 = await assistant.reply(await ask(carol, '@assistant three'), carol);
    const r4 = await assistant.reply(await ask(dave, '@assistant four'), dave);
    // Every reply exists at once, in progress; the last two show their place in line.
    expect([r1, r2, r3, r4].map((r) => [r.status, r.meta?.queuePosition])).toEqual([
      ['streaming', undefined],
      ['streaming', undefined],
      ['streaming', 1],
      ['streaming', 2],
    ]);
    const c1 = await scripted.nextCall();
    const c2 = await scripted.nextCall();
    expect(scripted.calls).toHaveLength(2);
    expect([assistant.streaming, assistant.waiting]).toEqual([2, 2]);

    // The second finishes first: the head of the line (carol) starts, dave moves up.
    finishCall(c2, 'two');
    const c3 = await scripted.nextCall();
    expect(c3.messages.at(-1)).toEqual({ role: 'user', content: 'carol: @assistant three' });
    expect(openCalls(scripted.calls)).toBeLessThanOrEqual(2);
    await vi.waitFor(async () => {
      expect((await stored(r3.id)).meta?.queuePosition).toBeUndefined();
      expect((await stored(r4.id)).meta?.queuePosition).toBe(1);
    });
    // Subscribers saw the line move, and carol's reply stop waiting before its first word.
    expect(rec.events.some((e) => updateOf(e, r4.id)?.meta?.queuePosition === 1)).toBe(true);
    c3.send('three');
    await streamed(rec, r3.id, 5);
    const r3Started = rec.events.findIndex((e) => {
      const m = updateOf(e, r3.id);
      return m !== null && m.status === 'streaming' && m.meta?.queuePosition === undefined;
    });
    const r3FirstDelta = rec.events.findIndex((e) => deltaOf(e, r3.id));
    expect(r3Started).toBeGreaterThan(-1);
    expect(r3Started).toBeLessThan(r3FirstDelta);

    finishCall(c1, 'one');
    const c4 = await scripted.nextCall();
    expect(c4.messages.at(-1)).toEqual({ role: 'user', content: 'dave: @assistant four' });
    expect(openCalls(scripted.calls)).toBeLessThanOrEqual(2);
    c3.end();
    finishCall(c4, 'four');
    for (const [r, text] of [
      [r1, 'one'],
      [r2, 'two'],
      [r3, 'three'],
      [r4, 'four'],
    ] as const) {
      await rec.until(isFinal(r.id));
      expect(await stored(r.id)).toMatchObject({ status: 'complete', content: text });
      expect((await stored(r.id)).meta?.queuePosition).toBeUndefined();
    }
    expect(scripted.calls).toHaveLength(4);
    expect([assistant.streaming, assistant.waiting]).toEqual([0, 0]);
  });

  it('a stop while waiting takes the reply out of line, cancelled and empty; the model is never asked', async () => {
    const [carol] = (await people('carol')) as [User];
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 1 });
    const running = await assistant.reply(await ask(alice, '@assistant one'), alice);
    const waiting = await assistant.reply(await ask(bob, '@assistant two'), bob);
    const behind = await assistant.reply(await ask(carol, '@assistant three'), carol);
    const first = await scripted.nextCall();
    expect([waiting.meta?.queuePosition, behind.meta?.queuePosition]).toEqual([1, 2]);

    await expectAppError(assistant.cancel(waiting.id, carol), 'FORBIDDEN');
    await assistant.cancel(waiting.id, bob);
    const cancelled = await stored(waiting.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', content: '' });
    expect(cancelled.meta?.queuePosition).toBeUndefined();
    expect(updateOf(await rec.until(isFinal(waiting.id)), waiting.id)?.status).toBe('cancelled');
    await vi.waitFor(async () => expect((await stored(behind.id)).meta?.queuePosition).toBe(1));
    expect(assistant.waiting).toBe(1);
    // Bob may ask again at once.
    expect(() => assistant.assertCanStart(bob.id)).not.toThrow();

    finishCall(first, 'one');
    const next = await scripted.nextCall();
    expect(next.messages.at(-1)).toEqual({ role: 'user', content: 'carol: @assistant three' });
    finishCall(next, 'three');
    await rec.until(isFinal(behind.id));
    await rec.until(isFinal(running.id));
    // Two model calls for three requests: the stopped one never reached the model.
    expect(scripted.calls).toHaveLength(2);
    expect((await stored(waiting.id)).status).toBe('cancelled');
  });

  it('refuses with TOO_MANY_REQUESTS once the line is full, storing nothing and keeping no slot', async () => {
    const [carol] = (await people('carol')) as [User];
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 1, maxQueue: 1 });
    await assistant.reply(await ask(alice, '@assistant one'), alice);
    await assistant.reply(await ask(bob, '@assistant two'), bob);
    const before = createdCount();
    const refused = await assistant.admit(carol).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect((refused as AppError).message).toBe(
      'the assistant is busy: too many replies are waiting for the model; try again in a few minutes',
    );
    await expectAppError(assistant.reply(await ask(carol, '@assistant three'), carol), 'TOO_MANY_REQUESTS');
    expect(createdCount()).toBe(before);
    expect([assistant.streaming, assistant.waiting]).toEqual([1, 1]);
    expect(() => assistant.assertCanStart(carol.id)).not.toThrow();
  });

  it('a ticket from admit() holds the place until reply(); cancel() gives it to the next in line', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 1 });
    const aliceTicket = await assistant.admit(alice);
    const bobTicket = await assistant.admit(bob);
    expect([assistant.streaming, assistant.waiting]).toEqual([1, 1]);
    // Alice's question could not be stored after all: her place goes to bob.
    aliceTicket.cancel();
    aliceTicket.cancel();
    expect([assistant.streaming, assistant.waiting]).toEqual([1, 0]);
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();

    const reply = await assistant.reply(await ask(bob, '@assistant hi'), bob, bobTicket);
    expect(reply.meta?.queuePosition).toBeUndefined();
    await expect(assistant.reply(await ask(bob, '@assistant again'), bob, bobTicket)).rejects.toThrow(/unused/);
    finishCall(await scripted.nextCall(), 'hello');
    expect(updateOf(await rec.until(isFinal(reply.id)), reply.id)?.status).toBe('complete');
  });

  it('stopAll ends waiting replies as failed "interrupted" too, and starts none of them', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 1 });
    const running = await assistant.reply(await ask(alice, '@assistant one'), alice);
    const waiting = await assistant.reply(await ask(bob, '@assistant two'), bob);
    (await scripted.nextCall()).send('partial');
    await streamed(rec, running.id, 7);

    await assistant.stopAll();
    expect(scripted.calls).toHaveLength(1);
    expect(await stored(running.id)).toMatchObject({ status: 'failed', content: 'partial' });
    const interrupted = await stored(waiting.id);
    expect(interrupted).toMatchObject({ status: 'failed', content: '' });
    expect(interrupted.meta?.error).toMatch(/^interrupted/);
    expect(interrupted.meta?.queuePosition).toBeUndefined();
    expect([assistant.streaming, assistant.waiting]).toEqual([0, 0]);
  });

  it('recoverInterrupted fails a reply a crashed instance left waiting, and clears its place', async () => {
    const { message } = await stores.chat.sendMessage({
      channelId,
      authorId: null,
      role: 'assistant',
      status: 'streaming',
      content: '',
      meta: { requestedBy: alice.id, instance: 'gone-1', queuePosition: 3 },
    });
    const assistant = makeAssistant(scriptedModel().model);
    expect(await assistant.recoverInterrupted()).toBe(1);
    const recovered = await stored(message.id);
    expect(recovered.status).toBe('failed');
    expect(recovered.meta?.error).toMatch(/interrupted/);
    expect(recovered.meta?.queuePosition).toBeUndefined();
  });

  it('a retry waits in line like a new reply', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model, { maxConcurrent: 1 });
    const first = await assistant.reply(await ask(alice, '@assistant one'), alice);
    finishCall(await scripted.nextCall(), 'first text');
    await rec.until(isFinal(first.id));
    const other = await assistant.reply(await ask(bob, '@assistant two'), bob);
    const busy = await scripted.nextCall();

    const reset = await assistant.retry(first.id, alice);
    expect(reset).toMatchObject({ status: 'streaming', content: '', meta: { queuePosition: 1 } });
    expect(scripted.calls).toHaveLength(2);
    finishCall(busy, 'two');
    await rec.until(isFinal(other.id));
    finishCall(await scripted.nextCall(), 'second text');
    const before = rec.events.findIndex((e) => updateOf(e, first.id)?.meta?.queuePosition === 1);
    const final = await rec.until((e) => rec.events.indexOf(e) > before && isFinal(first.id)(e));
    expect(updateOf(final, first.id)).toMatchObject({ status: 'complete', content: 'second text' });
    expect(updateOf(final, first.id)?.meta?.queuePosition).toBeUndefined();
    expect(updateOf(final, first.id)?.meta?.versions?.map((v) => v.text)).toEqual(['first text']);
  });
});

describe('Assistant daily budget', () => {
  it('refuses a request over the day’s budget before anything is stored, counting retries', async () => {
    const scripted = scriptedModel();
    const limiter = createMemoryRateLimiter({ name: 'assistant-replies', points: 2, durationMs: 24 * 3_600_000 });
    const assistant = makeAssistant(scripted.model, { dailyBudget: { limiter, replies: 2 } });
    const reply = await assistant.reply(await ask(alice, '@assistant one'), alice);
    finishCall(await scripted.nextCall(), 'one');
    await rec.until(isFinal(reply.id));
    await assistant.retry(reply.id, alice);
    finishCall(await scripted.nextCall(), 'two');
    await vi.waitFor(async () => expect((await stored(reply.id)).content).toBe('two'));
    expect(await limiter.used(alice.id)).toBe(2);

    const before = createdCount();
    const refused = await assistant.admit(alice).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect((refused as AppError).message).toMatch(/^You have used today's 2 assistant replies; more in 2[34] h$/);
    await expectAppError(assistant.retry(reply.id, alice), 'TOO_MANY_REQUESTS');
    expect((await stored(reply.id)).content).toBe('two');
    expect(createdCount()).toBe(before);
    expect(scripted.calls).toHaveLength(2);
    // A refusal keeps no slot, and the budget is per person.
    expect([assistant.streaming, assistant.waiting]).toEqual([0, 0]);
    expect(() => assistant.assertCanStart(alice.id)).not.toThrow();
    const bobs = await assistant.reply(await ask(bob, '@assistant mine'), bob);
    finishCall(await scripted.nextCall(), 'yours');
    expect(updateOf(await rec.until(isFinal(bobs.id)), bobs.id)?.status).toBe('complete');
  });
});

describe('Assistant.retry rights and versions', () => {
  it('is FORBIDDEN for a member who did not ask; an admin may, and the asker stays the asker', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant hi'), alice);
    finishCall(await scripted.nextCall(), 'hello');
    await rec.until(isFinal(reply.id));

    const refused = await assistant.retry(reply.id, bob).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: 'only the person who asked (or an admin) can regenerate this reply',
    });
    expect(await stored(reply.id)).toMatchObject({ status: 'complete', content: 'hello' });
    expect(scripted.calls).toHaveLength(1);

    const reset = await assistant.retry(reply.id, admin);
    expect(reset.meta?.requestedBy).toBe(alice.id);
    await scripted.nextCall();
    // The asker may still stop the admin's regeneration.
    await assistant.cancel(reply.id, alice);
    expect((await stored(reply.id)).status).toBe('cancelled');
  });

  it(`keeps the last ${KEPT_VERSIONS} earlier texts, oldest dropped, the newest current`, async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const reply = await assistant.reply(await ask(alice, '@assistant pick'), alice);
    finishCall(await scripted.nextCall(), 'v0');
    await vi.waitFor(async () => expect((await stored(reply.id)).status).toBe('complete'));
    for (let i = 1; i <= KEPT_VERSIONS + 2; i++) {
      await assistant.retry(reply.id, alice);
      finishCall(await scripted.nextCall(), `v${i}`);
      await vi.waitFor(async () =>
        expect(await stored(reply.id)).toMatchObject({ status: 'complete', content: `v${i}` }),
      );
    }
    const last = await stored(reply.id);
    expect(last.content).toBe(`v${KEPT_VERSIONS + 2}`);
    expect(last.meta?.versions?.map((v) => v.text)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    for (const version of last.meta?.versions ?? []) {
      expect(version).toMatchObject({ model: 'scripted-1', status: 'complete' });
      expect(Number.isNaN(Date.parse(version.at))).toBe(false);
    }
  });
});

describe('Assistant tool loop', () => {
  /** An agent with one read-only tool and one that asks first; `ran` records what ran, `told` who was asked to decide. */
  function toolAgent() {
    const ran: string[] = [];
    const told: string[][] = [];
    const agent: ReplyAgent = {
      id: 'agent-user',
      handle: 'assistant',
      name: 'Assistant',
      authorId: null,
      instructions: '',
      model: null,
      toolset: {
        tools: {
          lookup: tool({
            inputSchema: z.object({ q: z.string() }),
            execute: async ({ q }) => {
              ran.push(`lookup ${q}`);
              return { found: q.toUpperCase() };
            },
          }),
          launch: tool({
            inputSchema: z.object({ what: z.string() }),
            needsApproval: true,
            execute: async ({ what }) => {
              ran.push(`launch ${what}`);
              return { launched: what };
            },
          }),
        },
        onAwaitingApproval: async (_reply, calls) => {
          told.push(calls.map((c) => c.toolName));
        },
      },
    };
    return { agent, ran, told };
  }

  it('runs a read-only call at once and gives the model its result for the next step', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const { agent, ran } = toolAgent();
    const reply = await assistant.reply(await ask(alice, '@assistant look'), alice, undefined, agent);
    const first = await scripted.nextCall();
    expect(first.prompt.tools).toEqual(['lookup', 'launch']);
    first.send('Looking. ');
    first.callTool('lookup', { q: 'abc' });
    first.end();
    const second = await scripted.nextCall();
    expect(second.prompt.toolResults).toEqual([{ toolName: 'lookup', output: { found: 'ABC' } }]);
    second.send('It is ABC.');
    second.end();
    const done = await rec.until(isFinal(reply.id));
    const message = updateOf(done, reply.id);
    expect(ran).toEqual(['lookup abc']);
    expect(message?.content).toBe('Looking. It is ABC.');
    expect(message?.meta?.toolCalls).toEqual([
      expect.objectContaining({ toolName: 'lookup', state: 'done', at: 9, step: 0, output: { found: 'ABC' } }),
    ]);
    // The deltas rebuild the whole text across the steps.
    expect(applyDeltas(rec.events, reply.id)).toBe('Looking. It is ABC.');
  });

  it('pauses a call that asks first (no slot held), and resumes on the decision: approved runs, denied is told', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const { agent, ran, told } = toolAgent();
    const reply = await assistant.reply(await ask(alice, '@assistant launch'), alice, undefined, agent);
    const first = await scripted.nextCall();
    first.callTool('launch', { what: 'rocket' });
    first.end();
    await rec.until((e) => updateOf(e, reply.id)?.meta?.awaitingApproval === true);
    const waiting = await stores.chat.messageById(reply.id);
    expect(waiting).toMatchObject({ status: 'streaming', meta: { awaitingApproval: true } });
    const call = waiting?.meta?.toolCalls?.[0];
    expect(call).toMatchObject({ toolName: 'launch', state: 'awaiting-approval' });
    expect(assistant.streaming).toBe(0);
    expect(ran).toEqual([]);
    await vi.waitFor(() => expect(told).toEqual([['launch']]));
    // A restarted instance does not fail it: nothing runs it until someone decides.
    expect(await makeAssistant(scripted.model).recoverInterrupted()).toBe(0);

    const decision = { messageId: reply.id, toolCallId: call?.toolCallId ?? '', approved: true };
    await expectAppError(assistant.decideTool(decision, bob, agent), 'FORBIDDEN');
    await expectAppError(assistant.decideTool({ ...decision, toolCallId: 'nope' }, alice, agent), 'NOT_FOUND');
    // Any instance may resume it (here: another one, as after a restart).
    const other = makeAssistant(scripted.model);
    await other.decideTool(decision, alice, agent);
    const second = await scripted.nextCall();
    expect(second.prompt.toolResults).toEqual([{ toolName: 'launch', output: { launched: 'rocket' } }]);
    second.send('Launched.');
    second.end();
    const done = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    expect(ran).toEqual(['launch rocket']);
    expect(done).toMatchObject({ status: 'complete', content: 'Launched.' });
    expect(done?.meta?.awaitingApproval).toBeUndefined();
    expect(done?.meta?.toolCalls?.[0]).toMatchObject({
      state: 'done',
      decidedBy: { id: alice.id, displayName: 'Alice' },
    });
    await expectAppError(other.decideTool(decision, alice, agent), 'CONFLICT');
  });

  it('refuses someone who may not decide at once, even while the reply is still running here', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const { agent } = toolAgent();
    const reply = await assistant.reply(await ask(alice, '@assistant launch'), alice, undefined, agent);
    const first = await scripted.nextCall();
    first.send('Thinking…');
    // The model has not finished: a stranger's decision is refused now, not after the reply ends.
    const decision = { messageId: reply.id, toolCallId: 'call-1', approved: true };
    await expectAppError(assistant.decideTool(decision, bob, agent), 'FORBIDDEN');
    expect(assistant.streaming).toBe(1);
    first.end();
    await rec.until(isFinal(reply.id));
  });

  it('a denial never runs the tool; the model hears the reason', async () => {
    const scripted = scriptedModel();
    const assistant = makeAssistant(scripted.model);
    const { agent, ran } = toolAgent();
    const reply = await assistant.reply(await ask(alice, '@assistant launch'), alice, undefined, agent);
    const first = await scripted.nextCall();
    first.callTool('launch', { what: 'rocket' });
    first.end();
    await rec.until((e) => updateOf(e, reply.id)?.meta?.awaitingApproval === true);
    const call = (await stores.chat.messageById(reply.id))?.meta?.toolCalls?.[0];
    await assistant.decideTool(
      { messageId: reply.id, toolCallId: call?.toolCallId ?? '', approved: false, reason: 'not today' },
      admin,
      agent,
    );
    const second = await scripted.nextCall();
    expect(second.prompt.toolResults).toEqual([{ toolName: 'launch', output: null, denied: 'not today' }]);
    second.send('OK, not launching.');
    second.end();
    const done = updateOf(await rec.until(isFinal(reply.id)), reply.id);
    expect(ran).toEqual([]);
    expect(done?.meta?.toolCalls?.[0]).toMatchObject({ state: 'denied', reason: 'not today' });
  });
});
