import { getEventListeners } from 'node:events';
import type { ModelMessage, ModelProvider, TaskStats } from '@hubbub/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOfflineModel, offlineAnswer, tokenize } from './offline-model';

const system: ModelMessage = { role: 'system', content: 'sys' };
const ask = (text: string, who = 'Ada'): ModelMessage => ({ role: 'user', content: `${who}: ${text}` });

async function collect(model: ModelProvider, messages: ModelMessage[], signal = new AbortController().signal) {
  const stream = model.stream({ messages, signal });
  const chunks: string[] = [];
  for await (const chunk of stream.text) chunks.push(chunk);
  return { chunks, text: chunks.join(''), usage: await stream.usage() };
}

function stats(overrides: Partial<TaskStats['counts']> = {}, lastHour = { completed: 0, failed: 0 }): TaskStats {
  return {
    counts: {
      queued: 0,
      in_progress: 0,
      awaiting_approval: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      ...overrides,
    },
    lastHour,
    perMinute: [],
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('tokenize', () => {
  it('splits into words with their trailing whitespace, losing nothing', () => {
    expect(tokenize('Hello  big\nworld')).toEqual(['Hello  ', 'big\n', 'world']);
    expect(tokenize('  lead')).toEqual(['  ', 'lead']);
    expect(tokenize('')).toEqual([]);
    const text = 'A *Markdown* reply,\n\n- with a list\n- and `code`  ';
    expect(tokenize(text).join('')).toBe(text);
  });
});

describe('offlineAnswer', () => {
  it('says it is the built-in offline model and how to connect a real one', async () => {
    for (const q of ['help', 'what is the meaning of life?', 'task stats', 'summarize']) {
      const answer = await offlineAnswer([system, ask(`@assistant ${q}`)]);
      expect(answer).toContain('built-in offline model');
      expect(answer).toContain('OPENAI_BASE_URL');
      expect(answer).toContain('HUBBUB_MODEL');
    }
  });

  it("describes Hubbub for 'help' and for an empty question", async () => {
    for (const q of ['@assistant help', '@assistant', 'what can you do']) {
      const answer = await offlineAnswer([system, ask(q)]);
      expect(answer).toContain('I can help with Hubbub');
      expect(answer).toMatch(/\*\*Chat\*\*/);
      expect(answer).toMatch(/\*\*Tasks\*\*/);
    }
  });

  it('echoes a question it cannot answer and suggests what it can do', async () => {
    const answer = await offlineAnswer([system, ask('@assistant why is the sky blue?')]);
    expect(answer).toContain('“why is the sky blue?”');
    expect(answer).toContain('@assistant help');
  });

  it("'summarize 3' reports only the last 3 earlier messages and names the speakers", async () => {
    const messages: ModelMessage[] = [
      system,
      ask('ancient history', 'Zed'),
      ask('deploy is green', 'Ada'),
      { role: 'assistant', content: 'Noted.' },
      ask('shipping at noon', 'Grace'),
      ask('@assistant summarize 3', 'Ada'),
    ];
    const answer = await offlineAnswer(messages);
    expect(answer).toContain('Summary of the last 3 messages');
    expect(answer).toContain('Ada (1)');
    expect(answer).toContain('assistant (1)');
    expect(answer).toContain('Grace (1)');
    expect(answer).toContain('- Ada: deploy is green');
    expect(answer).toContain('- Grace: shipping at noon');
    expect(answer).not.toContain('Zed');
    expect(answer).not.toContain('ancient history');
    expect(answer).not.toContain('summarize 3');
  });

  it('says there is nothing to summarize in an empty channel', async () => {
    const answer = await offlineAnswer([system, ask('@assistant summarize')]);
    expect(answer).toContain('nothing to summarize');
  });

  it("'task stats' reports the injected facts", async () => {
    const taskStats = vi.fn(async () =>
      stats(
        { in_progress: 2, queued: 5, awaiting_approval: 1, completed: 40, failed: 3, cancelled: 4 },
        { completed: 7, failed: 1 },
      ),
    );
    const answer = await offlineAnswer([system, ask('@assistant task stats')], { taskStats });
    expect(taskStats).toHaveBeenCalledTimes(1);
    expect(answer).toContain(
      '**Tasks**: 2 running, 5 queued, 1 awaiting approval, 40 completed, 3 failed, 4 cancelled.',
    );
    expect(answer).toContain('In the last hour: 7 completed, 1 failed.');
  });

  it("'task stats' without tasks, or without facts, says so", async () => {
    const none = await offlineAnswer([system, ask('task stats')], { taskStats: async () => stats() });
    expect(none).toContain('No tasks yet');
    const blind = await offlineAnswer([system, ask('task stats')]);
    expect(blind).toContain('no access to task figures');
  });
});

describe('createOfflineModel', () => {
  const conversation = [system, ask('hello'), { role: 'assistant' as const, content: 'hi' }, ask('@assistant help')];

  it('names itself', () => {
    const model = createOfflineModel();
    expect(model.provider).toBe('hubbub-offline');
    expect(model.model).toBe('hubbub-offline-1');
  });

  it('is deterministic: the same messages give the same chunks and text', async () => {
    const model = createOfflineModel({ tokenIntervalMs: 0 });
    const a = await collect(model, conversation);
    const b = await collect(createOfflineModel({ tokenIntervalMs: 0 }), conversation);
    expect(a.chunks.length).toBeGreaterThan(1);
    expect(b.chunks).toEqual(a.chunks);
    expect(b.text).toBe(a.text);
    expect(a.text).toBe(await offlineAnswer(conversation));
  });

  it('streams ceil(tokens / tokensPerBurst) chunks of tokensPerBurst tokens each', async () => {
    const answer = await offlineAnswer(conversation);
    const tokens = tokenize(answer);
    for (const tokensPerBurst of [1, 3, 7]) {
      const { chunks, text } = await collect(createOfflineModel({ tokenIntervalMs: 0, tokensPerBurst }), conversation);
      expect(chunks).toHaveLength(Math.ceil(tokens.length / tokensPerBurst));
      expect(chunks[0]).toBe(tokens.slice(0, tokensPerBurst).join(''));
      expect(text).toBe(answer);
    }
  });

  it('waits tokenIntervalMs between bursts (fake timers), and not before the first', async () => {
    vi.useFakeTimers();
    const model = createOfflineModel({ tokenIntervalMs: 50, tokensPerBurst: 2 });
    const iterator = model
      .stream({ messages: conversation, signal: new AbortController().signal })
      .text[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);

    let second: IteratorResult<string> | undefined;
    void iterator.next().then((r) => {
      second = r;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(second?.done).toBe(false);
    await iterator.return?.();
  });

  it('stops when the signal is aborted mid-stream: the iterator throws the reason and yields no more', async () => {
    const controller = new AbortController();
    const model = createOfflineModel({ tokenIntervalMs: 1, tokensPerBurst: 1 });
    const stream = model.stream({ messages: conversation, signal: controller.signal });
    const iterator = stream.text[Symbol.asyncIterator]();
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await iterator.next();
      if (!r.done) got.push(r.value);
    }
    expect(got).toHaveLength(3);
    const reason = new Error('user pressed stop');
    const pending = iterator.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(await stream.usage()).toEqual({ outputTokens: 3 });
  });

  it('throws at once when the signal is already aborted before the second burst', async () => {
    const controller = new AbortController();
    const stream = createOfflineModel({ tokenIntervalMs: 1 }).stream({
      messages: conversation,
      signal: controller.signal,
    });
    const iterator = stream.text[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error('gone'));
    await expect(iterator.next()).rejects.toThrow('gone');
  });

  it('leaves no abort listeners behind on the signal between bursts or after the stream', async () => {
    const controller = new AbortController();
    const model = createOfflineModel({ tokenIntervalMs: 0, tokensPerBurst: 1 });
    const stream = model.stream({ messages: conversation, signal: controller.signal });
    const seen: number[] = [];
    let chunks = 0;
    for await (const _ of stream.text) {
      chunks++;
      seen.push(getEventListeners(controller.signal, 'abort').length);
    }
    expect(chunks).toBeGreaterThan(20);
    expect(Math.max(...seen)).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('usage() reports the tokens produced', async () => {
    const { usage, text } = await collect(createOfflineModel({ tokenIntervalMs: 0 }), conversation);
    expect(usage).toEqual({ outputTokens: tokenize(text).length });
    expect(usage.outputTokens).toBeGreaterThan(10);
  });
});
