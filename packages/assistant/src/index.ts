export { Assistant, type AssistantOptions, CONTROL_TOPIC, type ReplyTicket } from './assistant';
export { type Delta, DeltaCoalescer, type Timers } from './coalescer';
export type { DailyReplyBudget } from './daily-budget';
export {
  type Answer,
  handMadeModel,
  type ModelChunk,
  type ModelProvider,
  type PromptView,
  type ToolResultView,
} from './hand-made-model';
export { describeModelError } from './model-errors';
export { createOfflineModel, type OfflineModelOptions, offlineAnswer, offlineTurn, tokenize } from './offline-model';
export { createOpenAICompatibleModel, type OpenAICompatibleOptions } from './openai-model';
export { buildPrompt, DEFAULT_SYSTEM_PROMPT, mentionsAssistant } from './prompt';
export { type AgentToolset, agentStatusSignal, modelFor, type ReplyAgent, systemPromptFor } from './reply-agent';
export { KEPT_VERSIONS } from './reply-versions';
