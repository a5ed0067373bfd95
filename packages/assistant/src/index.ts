export { Assistant, type AssistantOptions, CONTROL_TOPIC } from './assistant';
export { type Delta, DeltaCoalescer, type Timers } from './coalescer';
export { describeModelError } from './model-errors';
export { createOfflineModel, type OfflineModelOptions, offlineAnswer, tokenize } from './offline-model';
export { createOpenAICompatibleModel, type OpenAICompatibleOptions } from './openai-model';
export { buildPrompt, DEFAULT_SYSTEM_PROMPT, mentionsAssistant } from './prompt';
