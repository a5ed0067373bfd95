import { getEventListeners } from 'node:events';
import type { ModelMessage, TaskStats } from '@hubbub/core';
import { streamText } from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModelProvider, ToolResultView } from './hand-made-model';
import { createOfflineModel, offlineAnswer, offlineTurn, tokenize } from './offline-model';

const system: ModelMessage = { role: 'system', content: 'sys' };
const ask = (text: string, who = 'Ada'): ModelMessage => ({ role: 'user', content: `${who}: ${text}` });

/** What the model streams through the AI SDK, as the assistant reads it. */
async function collect(model: ModelProvider, messages: ModelMessage[], signal = new AbortController().signal) {
  const result = streamText({ model: model.languageModel, messages, abortSignal: signal });
  const chunks: string[] = [];
  for await (const chunk of result.textStream) chunks.push(chunk);
  return { chunks, text: chunks.join(''), usage: (await result.totalUsage).outputTokens };
}

/** The model's own stream parts, read one at a time. */
async function rawStream(model: ModelProvider, messages: ModelMessage[], abortSignal?: AbortSignal) {
  const prompt = messages.map((m) =>
    m.role === 'system'
      ? { role: 'system' as const, content: m.content }
      : { role: m.role, content: [{ type: 'text' as const, text: m.content }] },
  );
  const { stream } = await model.languageModel.doStream({ prompt, abortSignal });
  return stream.getReader();
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
    expect(model.languageModel.specificationVersion).toBe('v3');
  });

  it('is deterministic through the AI SDK: the same messages give the same chunks and text', async () => {
    const a = await collect(createOfflineModel({ tokenIntervalMs: 0 }), conversation);
    const b = await collect(createOfflineModel({ tokenIntervalMs: 0 }), conversation);
    expect(a.chunks.length).toBeGreaterThan(1);
    expect(b.chunks).toEqual(a.chunks);
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
    // Only the model's own pauses are faked: the stream machinery keeps its real scheduling.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const reader = await rawStream(createOfflineModel({ tokenIntervalMs: 50, tokensPerBurst: 2 }), conversation);
    expect((await reader.read()).value?.type).toBe('stream-start');
    expect((await reader.read()).value?.type).toBe('text-start');
    expect((await reader.read()).value?.type).toBe('text-delta');
    let second: { done?: boolean } | undefined;
    void reader.read().then((r) => {
      second = r;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(second).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(second?.done).toBe(false);
    // The model stops once its current pause ends.
    const cancelled = reader.cancel();
    await vi.runAllTimersAsync();
    await cancelled;
  });

  it('stops when the signal is aborted mid-stream: the stream errors with the reason', async () => {
    const controller = new AbortController();
    const reader = await rawStream(
      createOfflineModel({ tokenIntervalMs: 1, tokensPerBurst: 1 }),
      conversation,
      controller.signal,
    );
    for (let i = 0; i < 5; i++) await reader.read();
    const reason = new Error('user pressed stop');
    const pending = reader.read();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('leaves no abort listeners behind on the signal after the stream', async () => {
    const controller = new AbortController();
    const { chunks } = await collect(
      createOfflineModel({ tokenIntervalMs: 0, tokensPerBurst: 1 }),
      conversation,
      controller.signal,
    );
    expect(chunks.length).toBeGreaterThan(20);
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
  });

  it('reports the tokens produced as its usage', async () => {
    const { usage, text } = await collect(createOfflineModel({ tokenIntervalMs: 0 }), conversation);
    expect(usage).toBe(tokenize(text).length);
    expect(usage).toBeGreaterThan(10);
  });
});

describe('the offline model’s commands', () => {
  const view = (question: string, tools = ['search_messages', 'create_task', 'update_todos']) => ({
    messages: [system, ask(question)],
    tools,
    toolResults: null,
  });

  it('find: says what it searches, then calls search_messages with the words', async () => {
    const turn = await offlineTurn(view('@assistant find release notes'));
    expect(turn.text).toContain('release notes');
    expect(turn.call).toEqual({ toolName: 'search_messages', input: { query: 'release notes' } });
  });

  it('create a task: calls create_task with the title and the agent', async () => {
    const turn = await offlineTurn(view('@assistant create a task "Ship the notes" for worker'));
    expect(turn.call).toEqual({ toolName: 'create_task', input: { title: 'Ship the notes', agent: 'worker' } });
    const bare = await offlineTurn(view('@assistant create task “Tidy up”'));
    expect(bare.call).toEqual({ toolName: 'create_task', input: { title: 'Tidy up' } });
  });

  it('plan: calls update_todos with the items, in order, pending', async () => {
    const turn = await offlineTurn(view('@assistant plan: write draft; review ;publish;'));
    expect(turn.call).toEqual({
      toolName: 'update_todos',
      input: {
        items: [
          { content: 'write draft', status: 'pending' },
          { content: 'review', status: 'pending' },
          { content: 'publish', status: 'pending' },
        ],
      },
    });
  });

  it('says so, calling nothing, when the agent may not use the tool', async () => {
    const turn = await offlineTurn(view('@assistant find x', ['update_todos']));
    expect(turn.call).toBeUndefined();
    expect(turn.text).toContain('search_messages');
    expect(turn.text).toContain('Agents');
  });

  it('answers from the results it is given: hits, a created task, a plan, a denial, a failure', async () => {
    const results = async (toolResults: ToolResultView[]) =>
      (await offlineTurn({ messages: [system], tools: [], toolResults })).text;
    const hits = [{ channel: 'general', author: 'Ada', text: 'the release notes are ready' }];
    expect(await results([{ toolName: 'search_messages', output: { hits, more: false } }])).toContain(
      '**#general** Ada: the release notes are ready',
    );
    expect(await results([{ toolName: 'search_messages', output: { hits: [] } }])).toContain('found no messages');
    expect(
      await results([{ toolName: 'create_task', output: { title: 'Ship', status: 'queued', agent: 'worker' } }]),
    ).toContain('“Ship” is queued for worker');
    expect(await results([{ toolName: 'update_todos', output: { items: [1, 2, 3] } }])).toContain('3 steps');
    expect(await results([{ toolName: 'create_task', output: null, denied: 'not now' }])).toContain(
      'denied (“not now”)',
    );
    expect(await results([{ toolName: 'create_task', output: null, error: 'FORBIDDEN' }])).toContain(
      'failed: FORBIDDEN',
    );
  });

  it('lists its commands in help', async () => {
    const answer = await offlineAnswer([system, ask('@assistant help')]);
    expect(answer).toContain('@assistant find');
    expect(answer).toContain('@assistant create a task');
    expect(answer).toContain('@assistant plan:');
  });
});
