import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { ModelProvider } from '@hubbub/core';
import { streamText } from 'ai';

export interface OpenAICompatibleOptions {
  baseURL: string;
  apiKey?: string;
  model: string;
}

/** Any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM) through the AI SDK. */
export function createOpenAICompatibleModel(options: OpenAICompatibleOptions): ModelProvider {
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    includeUsage: true,
  });
  return {
    provider: 'openai-compatible',
    model: options.model,
    stream({ messages, signal, maxOutputTokens }) {
      const result = streamText({
        model: provider(options.model),
        messages,
        abortSignal: signal,
        maxOutputTokens,
        // Hubbub reports failures on the message; a retry is the user's Regenerate.
        maxRetries: 0,
        onError: () => {},
      });
      async function* text() {
        for await (const part of result.fullStream) {
          if (part.type === 'text-delta') yield part.text;
          else if (part.type === 'error') throw part.error;
          else if (part.type === 'abort') throw signal.reason ?? new Error('aborted');
        }
      }
      return {
        text: text(),
        usage: async () => {
          try {
            return { outputTokens: (await result.usage).outputTokens ?? null };
          } catch {
            return { outputTokens: null };
          }
        },
      };
    },
  };
}
