import type { Message, ReplyVersion } from '@hubbub/core';

/** Earlier versions a regenerated reply keeps (the oldest are dropped). */
export const KEPT_VERSIONS = 5;

/**
 * The versions a reply keeps when it is regenerated: the ones it had, plus
 * its current text (unless it has none, or is still being written), at most
 * the last `KEPT_VERSIONS`, oldest first.
 */
export function versionsAfterRegenerate(
  reply: Pick<Message, 'content' | 'status' | 'meta' | 'createdAt'>,
): ReplyVersion[] {
  const kept = reply.meta?.versions ?? [];
  if (!reply.content.trim() || reply.status === 'streaming') return kept.slice(-KEPT_VERSIONS);
  const current: ReplyVersion = {
    text: reply.content,
    at: reply.meta?.regeneratedAt ?? reply.createdAt,
    status: reply.status,
    ...(reply.meta?.model ? { model: reply.meta.model } : {}),
  };
  return [...kept, current].slice(-KEPT_VERSIONS);
}
