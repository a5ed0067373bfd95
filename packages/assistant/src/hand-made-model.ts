import { randomUUID } from 'node:crypto';
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import type { ModelMessage } from '@hubbub/core';

/** A model the assistant writes with: what replies show (provider, model) and the AI SDK model that writes. */
export interface ModelProvider {
  /** Shown on replies: "openai-compatible", "hubbub-offline". */
  readonly provider: string;
  readonly model: string;
  readonly languageModel: LanguageModelV3;
}

/** What a hand-made model says: pieces of text and tool calls, in order. */
export type ModelChunk = string | { toolName: string; input: unknown };

/** The result of a tool call the prompt ends with. */
export interface ToolResultView {
  toolName: string;
  output: unknown;
  /** Set when the tool failed. */
  error?: string;
  /** Set when a person denied the call (the reason, or ''). */
  denied?: string;
}

/** A prompt as a hand-made model reads it. */
export interface PromptView {
  /** The conversation's text turns (tool turns left out). */
  messages: ModelMessage[];
  /** The tools it may call, by name. */
  tools: string[];
  /** The results of the calls it made last, when the prompt ends with them; otherwise null. */
  toolResults: ToolResultView[] | null;
}

export type Answer = (prompt: PromptView, signal: AbortSignal) => AsyncIterable<ModelChunk>;

/**
 * An AI SDK language model from a function that answers a prompt: the
 * built-in offline model and the test models are these, so the same tool
 * loop, parts and approvals run with them as with a real endpoint.
 */
export function handMadeModel(id: { provider: string; model: string }, answer: Answer): ModelProvider {
  const languageModel: LanguageModelV3 = {
    specificationVersion: 'v3',
    provider: id.provider,
    modelId: id.model,
    supportedUrls: {},
    doStream: async (options) => ({ stream: streamOf(answer, options) }),
    async doGenerate() {
      throw new Error(`${id.model} only streams`);
    },
  };
  return { provider: id.provider, model: id.model, languageModel };
}

function streamOf(answer: Answer, options: LanguageModelV3CallOptions): ReadableStream<LanguageModelV3StreamPart> {
  const signal = options.abortSignal ?? new AbortController().signal;
  const chunks = answer(viewOf(options), signal)[Symbol.asyncIterator]();
  const textId = randomUUID();
  let textOpen = false;
  let produced = 0;
  let calls = 0;
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: [] });
    },
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          if (textOpen) controller.enqueue({ type: 'text-end', id: textId });
          controller.enqueue({
            type: 'finish',
            usage: usageOf(produced),
            finishReason: { unified: calls > 0 ? 'tool-calls' : 'stop', raw: undefined },
          });
          controller.close();
          return;
        }
        const chunk = next.value;
        if (typeof chunk === 'string') {
          if (!textOpen) controller.enqueue({ type: 'text-start', id: textId });
          textOpen = true;
          produced += tokenize(chunk).length;
          controller.enqueue({ type: 'text-delta', id: textId, delta: chunk });
        } else {
          calls++;
          const toolCallId = `call_${randomUUID().slice(0, 12)}`;
          controller.enqueue({
            type: 'tool-call',
            toolCallId,
            toolName: chunk.toolName,
            input: JSON.stringify(chunk.input),
          });
        }
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return?.();
    },
  });
}

/** Words and the spaces after them: what a real model streams, roughly (a hand-made model's token count). */
export function tokenize(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

const usageOf = (outputTokens: number): LanguageModelV3Usage => ({
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: outputTokens, text: outputTokens, reasoning: undefined },
});

function viewOf(options: LanguageModelV3CallOptions): PromptView {
  const tools = (options.tools ?? []).map((tool) => tool.name);
  return { messages: textTurns(options.prompt), tools, toolResults: lastToolResults(options.prompt) };
}

function textTurns(prompt: LanguageModelV3Prompt): ModelMessage[] {
  const turns: ModelMessage[] = [];
  for (const message of prompt) {
    if (message.role === 'system') turns.push({ role: 'system', content: message.content });
    else if (message.role === 'user' || message.role === 'assistant') {
      const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
      if (text) turns.push({ role: message.role, content: text });
    }
  }
  return turns;
}

function lastToolResults(prompt: LanguageModelV3Prompt): ToolResultView[] | null {
  const last = prompt.at(-1);
  if (last?.role !== 'tool') return null;
  const results: ToolResultView[] = [];
  for (const part of last.content) {
    if (part.type !== 'tool-result') continue;
    const { output } = part;
    if (output.type === 'execution-denied')
      results.push({ toolName: part.toolName, output: null, denied: output.reason ?? '' });
    else if (output.type === 'error-text' || output.type === 'error-json')
      results.push({ toolName: part.toolName, output: null, error: String(output.value) });
    else if (output.type === 'json' || output.type === 'text')
      results.push({ toolName: part.toolName, output: output.value });
  }
  return results;
}
