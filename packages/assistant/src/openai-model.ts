import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { ModelProvider } from './hand-made-model';

export interface OpenAICompatibleOptions {
  baseURL: string;
  apiKey?: string;
  model: string;
}

/** Any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp, vLLM) through the AI SDK, tool calls included. */
export function createOpenAICompatibleModel(options: OpenAICompatibleOptions): ModelProvider {
  const provider = createOpenAICompatible({
    name: 'openai-compatible',
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    includeUsage: true,
  });
  return { provider: 'openai-compatible', model: options.model, languageModel: provider(options.model) };
}
