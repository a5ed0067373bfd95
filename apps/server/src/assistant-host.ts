import { Assistant, createOfflineModel } from '@hubbub/assistant';
import type { RateLimiters } from '@hubbub/bus';
import type { Backends } from './backends';
import type { HubbubConfig, ResolvedConfig } from './config';

const DAY_MS = 24 * 3_600_000;

/** This instance's assistant: the configured model (or the built-in offline one), each person's daily budget. */
export function createAssistant(config: ResolvedConfig, backends: Backends): Assistant {
  const options = config.assistant ?? {};
  const { stores, bus, rateLimiters } = backends;
  return new Assistant({
    chat: stores.chat,
    bus,
    model:
      options.model ??
      createOfflineModel({
        tokenIntervalMs: options.offlineTokenIntervalMs,
        facts: { taskStats: () => stores.tasks.stats(Date.now()) },
      }),
    systemPrompt: options.systemPrompt,
    maxOutputTokens: options.maxOutputTokens,
    deltaIntervalMs: options.deltaIntervalMs,
    maxConcurrent: options.maxConcurrent,
    maxQueue: options.maxQueue,
    dailyBudget: dailyBudget(options, rateLimiters),
    instance: config.instance,
    onFailure: (reason, err, messageId) => config.logger.warn({ reason, messageId, err }, 'assistant reply failed'),
    // The reply's meta says so too (requestedModel); the log tells the operator which model to configure.
    onModelFallback: (agent, requestedModel, messageId) =>
      config.logger.warn(
        { agent: agent.handle, requestedModel, messageId },
        'agent asks for a model this server does not have: the default model answers',
      ),
  });
}

/** One budget per person and day, shared by the cluster when the limits are on Redis; none when unset or 0. */
function dailyBudget(options: NonNullable<HubbubConfig['assistant']>, rateLimiters: RateLimiters) {
  const replies = options.dailyReplies;
  if (!replies) return undefined;
  const limiter =
    options.dailyReplyLimiter ??
    rateLimiters.limiter({ name: 'assistant-replies', points: replies, durationMs: DAY_MS });
  return { limiter, replies };
}
