import { z } from 'zod';

/** Limits shared by the API, the stores and the web app. */
export const LIMITS = {
  handle: { min: 2, max: 32 },
  password: { min: 8, max: 200 },
  displayName: 120,
  slug: { min: 2, max: 40 },
  channelName: 80,
  topic: 300,
  message: 8000,
  clientId: 64,
  historyPage: 100,
} as const;

export const ZId = z.string().min(1).max(64);
export const ZHandle = z
  .string()
  .trim()
  .toLowerCase()
  .min(LIMITS.handle.min)
  .max(LIMITS.handle.max)
  .regex(/^[a-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore');
export const ZPassword = z.string().min(LIMITS.password.min).max(LIMITS.password.max);
export const ZDisplayName = z.string().trim().min(1).max(LIMITS.displayName);
export const ZSlug = z
  .string()
  .trim()
  .toLowerCase()
  .min(LIMITS.slug.min)
  .max(LIMITS.slug.max)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');
export const ZVisibility = z.enum(['public', 'private']);
export const ZRole = z.enum(['admin', 'member', 'agent']);
export const ZMessageContent = z.string().trim().min(1, 'message is empty').max(LIMITS.message);
export const ZMessageMeta = z
  .object({
    lane: z.string().max(40).optional(),
    provider: z.string().max(80).optional(),
    tokenCount: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict();
/** "<epoch>:<offset>" as yielded by tracked() on every stream. */
export const ZEventId = z.string().max(80);

export const ZSignupInput = z.object({
  handle: ZHandle,
  password: ZPassword,
  displayName: ZDisplayName.optional(),
});
export const ZLoginInput = z.object({ handle: ZHandle, password: z.string().max(LIMITS.password.max) });

export const ZCreateChannelInput = z.object({
  slug: ZSlug,
  name: z.string().trim().min(1).max(LIMITS.channelName),
  topic: z.string().trim().max(LIMITS.topic).optional(),
  visibility: ZVisibility.default('public'),
});
export const ZChannelRef = z.object({ channelId: ZId });
export const ZSendMessageInput = z.object({
  channelId: ZId,
  content: ZMessageContent,
  clientId: z.string().min(1).max(LIMITS.clientId).optional(),
  meta: ZMessageMeta.optional(),
});
export const ZHistoryInput = z.object({
  channelId: ZId,
  before: z.number().int().positive().optional(),
  /** Same as `before`, under the name tRPC's infinite queries use. */
  cursor: z.number().int().positive().nullish(),
  limit: z.number().int().min(1).max(LIMITS.historyPage).default(50),
});
export const ZEditMessageInput = z.object({ messageId: ZId, content: ZMessageContent });
export const ZMessageRef = z.object({ messageId: ZId });
export const ZChannelEventInput = z.object({ channelId: ZId, lastEventId: ZEventId.nullish() });
