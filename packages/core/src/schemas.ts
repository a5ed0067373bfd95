import { z } from 'zod';
import { LIMITS } from './limits';
import { hasBidiControls, isInvisible, RESERVED_HANDLES } from './text-rules';

import { ATTACHMENT_LIMITS } from './types';

export const ZId = z.string().min(1).max(64);
/** Names a person or an agent is mentioned by: lowercase ASCII; dots, dashes and underscores only between letters or digits. */
export const ZHandleFormat = z
  .string()
  .trim()
  .toLowerCase()
  .min(LIMITS.handle.min)
  .max(LIMITS.handle.max)
  .regex(/^[a-z0-9_.-]+$/, 'use letters, digits, dot, dash or underscore')
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    'start and end with a letter or digit, one dot, dash or underscore at a time',
  );
/** A handle someone may take: the format, and none of the reserved names. */
export const ZHandle = ZHandleFormat.refine((handle) => !RESERVED_HANDLES.has(handle), {
  message: 'this handle is reserved: choose another',
});
export const ZPassword = z.string().min(LIMITS.password.min).max(LIMITS.password.max);
export const ZDisplayName = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.displayName)
  .refine((name) => !isInvisible(name), 'a name must have visible characters')
  .refine((name) => !hasBidiControls(name), 'a name cannot contain text-direction control characters');
export const ZSlug = z
  .string()
  .trim()
  .toLowerCase()
  .min(LIMITS.slug.min)
  .max(LIMITS.slug.max)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');
export const ZVisibility = z.enum(['public', 'private']);
export const ZRole = z.enum(['admin', 'member', 'agent']);
export const ZMessageContent = z
  .string()
  .trim()
  .min(1, 'message is empty')
  .max(LIMITS.message)
  .refine((text) => !isInvisible(text), 'message is empty: it has no visible characters');
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
// Logging in checks only the format: a reserved handle simply has no password that matches.
export const ZLoginInput = z.object({ handle: ZHandleFormat, password: z.string().max(LIMITS.password.max) });

export const ZLogoutAllInput = z.object({ userId: ZId.optional() }).nullish();

export const ZCreateChannelInput = z.object({
  slug: ZSlug,
  name: z.string().trim().min(1).max(LIMITS.channelName),
  topic: z.string().trim().max(LIMITS.topic).optional(),
  visibility: ZVisibility.default('public'),
});
export const ZChannelRef = z.object({ channelId: ZId });
/** Renames a channel or sets its topic (an empty topic clears it); at least one of the two. */
export const ZUpdateChannelInput = z
  .object({
    channelId: ZId,
    name: z.string().trim().min(1).max(LIMITS.channelName).optional(),
    topic: z.string().trim().max(LIMITS.topic).optional(),
  })
  .refine((input) => input.name !== undefined || input.topic !== undefined, { message: 'nothing to change' });
export const ZChannelListInput = z
  .object({
    /** nextCursor of the previous page. */
    cursor: z
      .string()
      .max(LIMITS.slug.max + 2)
      .nullish(),
    limit: z.number().int().min(1).max(200).optional(),
  })
  .optional();
export const ZSendMessageInput = z
  .object({
    channelId: ZId,
    // Empty only when files are attached (a picture needs no words): see the refine below.
    content: ZMessageContent.or(z.literal('')),
    clientId: z.string().min(1).max(LIMITS.clientId).optional(),
    meta: ZMessageMeta.optional(),
    /** A thread reply: the root message's id (a message of the same channel, not itself a reply). */
    threadId: ZId.optional(),
    /** A thread reply shown in the channel too ("Also send to channel"); only with threadId. */
    alsoInChannel: z.boolean().optional(),
    /** Uploads (POST /api/files) to attach: the sender's own, to this channel, not yet sent. */
    attachmentIds: z.array(ZId).max(ATTACHMENT_LIMITS.perMessage).optional(),
  })
  .refine((input) => input.content !== '' || (input.attachmentIds?.length ?? 0) > 0, {
    message: 'message is empty',
    path: ['content'],
  });
export const ZHistoryInput = z
  .object({
    channelId: ZId,
    before: z.number().int().positive().optional(),
    /** Same as `before`, under the name tRPC's infinite queries use. */
    cursor: z.number().int().positive().nullish(),
    /** The page just newer than this seq instead (paging down from a window); not with `before`. */
    after: z.number().int().nonnegative().optional(),
    limit: z.number().int().min(1).max(LIMITS.historyPage).default(50),
  })
  .refine((input) => input.after === undefined || (input.before ?? input.cursor ?? undefined) === undefined, {
    message: 'page one way: before or after, not both',
    path: ['after'],
  });
/** A window of a channel's messages around one (a permalink, a search hit, the first unread). */
export const ZAroundInput = z.object({
  messageId: ZId,
  limit: z.number().int().min(1).max(LIMITS.historyPage).default(50),
});
/** A page of a thread's replies, newest first (`before`: a seq, as message.history). */
export const ZThreadInput = z.object({
  messageId: ZId,
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(LIMITS.historyPage).default(50),
});
export const ZEditMessageInput = z.object({ messageId: ZId, content: ZMessageContent });
export const ZMessageRef = z.object({ messageId: ZId });
/** One emoji (with its skin tone, joiners, flags): pictographs and emoji components only, never text. */
const EMOJI =
  /^(?=.*[\p{Extended_Pictographic}\p{Regional_Indicator}])(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\ufe0f|\u20e3|\u200d)+$/u;
export const ZEmoji = z.string().min(1).max(16).regex(EMOJI, 'not an emoji');
export const ZReactionInput = z.object({ messageId: ZId, emoji: ZEmoji });
export const ZChannelEventInput = z.object({ channelId: ZId, lastEventId: ZEventId.nullish() });
