import { ATTACHMENT_LIMITS, LIMITS } from '@hubbub/core';
import { z } from 'zod';
import { type KeyValueStorage, readJson, tryWrite } from './local-storage';
import type { PendingMessage } from './types';

/** Unsent messages kept per person; past this a send still goes out, but would not survive a reload. */
export const MAX_OUTBOX = 100;

/** What a stored entry must look like: storage is written by this app, but read as untrusted. */
const ZStoredPending = z
  .object({
    clientId: z.string().min(1).max(LIMITS.clientId),
    channelId: z.string().min(1).max(64),
    // Empty only with files (a picture sent without words).
    content: z.string().max(LIMITS.message),
    attachments: z
      .array(
        z.object({
          id: z.string().min(1).max(64),
          name: z.string().max(ATTACHMENT_LIMITS.name),
          contentType: z.string().max(200),
          size: z.number().int().min(0),
          width: z.number().int().positive().optional(),
          height: z.number().int().positive().optional(),
          thumbnail: z.boolean().optional(),
        }),
      )
      .min(1)
      .max(ATTACHMENT_LIMITS.perMessage)
      .optional(),
    createdAt: z.string().max(64),
    status: z.enum(['sending', 'failed']),
    error: z.string().max(1000).optional(),
  })
  .refine((m) => m.content !== '' || m.attachments !== undefined, 'an empty message without files');

export interface Outbox {
  /** The unsent messages, oldest first. */
  all(): PendingMessage[];
  /** Adds or replaces one; false when it could not be kept (outbox full, storage refused). */
  put(message: PendingMessage): boolean;
  remove(clientId: string): void;
  /** Forgets every unsent message (logging out). */
  clear(): void;
}

/**
 * The messages someone sent that the server has not confirmed yet, in this
 * browser's storage: a reload, a crash or a closed tab does not lose them,
 * and they go out again with the same clientId (the server answers a repeat
 * with the stored message, never a second copy). Every call reads storage
 * afresh, so two tabs of the same person do not overwrite each other's.
 */
export function createOutbox(storage: KeyValueStorage | null, userId: string, max = MAX_OUTBOX): Outbox {
  const key = `hubbub.outbox.${userId}`;

  const read = (): PendingMessage[] => {
    const value = readJson(storage, key);
    if (!Array.isArray(value)) return [];
    return value.flatMap((entry) => {
      const parsed = ZStoredPending.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  };
  const write = (messages: PendingMessage[]) => {
    if (messages.length > 0) return tryWrite(storage, key, JSON.stringify(messages));
    try {
      storage?.removeItem(key);
    } catch {
      // An outbox that cannot be emptied resends on reload: the server answers with the stored copy.
    }
    return true;
  };

  return {
    all: read,
    put(message) {
      const messages = read();
      const at = messages.findIndex((m) => m.clientId === message.clientId);
      if (at >= 0) messages[at] = message;
      else if (messages.length >= max) return false;
      else messages.push(message);
      return write(messages);
    },
    remove(clientId) {
      const messages = read();
      const rest = messages.filter((m) => m.clientId !== clientId);
      if (rest.length !== messages.length) write(rest);
    },
    clear: () => void write([]),
  };
}
