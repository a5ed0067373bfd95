import { z } from 'zod';
import { LIMITS } from './limits';
import { ZEventId, ZId } from './schemas';
import type { AgentStatusReport, Channel, Message, User } from './types';

/**
 * A person's own stream (user.onEvent). Stored changes are what concerns
 * them alone and must survive a reconnect: their channel list (joined, left),
 * read positions (so every tab and device agrees), approvals waiting for them.
 * Signals are live only, derived from the channels they are in: unread and
 * mention counts, mentions, direct messages, public channels appearing or
 * changing. A resumed stream replays the changes; the counts come back with
 * `channel.list`, which a client reads again whenever the stream (re)starts.
 */
export type UserChange =
  /** You are now a member: you created or joined it, someone invited you, a direct conversation opened. */
  | { type: 'channel.joined'; channel: Channel; by: string | null }
  /** You are no longer a member: you left, or someone removed you. A private channel leaves your list. */
  | { type: 'channel.left'; channelId: string; by: string | null }
  /** You read up to `seq` in this channel (on any tab or device); the counts after it. */
  | { type: 'channel.read'; channelId: string; seq: number; unread: number; mentions: number }
  /** A task waits for a person's decision: its creator and the admins are told. */
  | { type: 'approval.requested'; taskId: string; taskTitle: string; approvalId: string; action: string }
  | {
      type: 'approval.decided';
      taskId: string;
      approvalId: string;
      status: 'approved' | 'rejected';
      decidedBy: string;
    }
  /** An agent's tool call (in a reply you asked for, or as an admin) waits for a decision: message.decideTool. */
  | {
      type: 'tool.approval.requested';
      channelId: string;
      messageId: string;
      toolCallId: string;
      toolName: string;
      agentHandle: string;
    }
  /** That call was decided (by you or another who may). */
  | {
      type: 'tool.approval.decided';
      channelId: string;
      messageId: string;
      toolCallId: string;
      approved: boolean;
      decidedBy: string;
    };

export type UserSignal =
  /** A channel you can see changed or appeared (public ones: created, archived, unarchived; yours: any change). */
  | { type: 'channel.updated'; channel: Channel }
  /** Unread messages and mentions of you after your read position, as they change. */
  | { type: 'channel.unread'; channelId: string; unread: number; mentions: number; lastMessageAt: string | null }
  /** A message that mentions you (by handle or @channel). */
  | { type: 'mention'; channelId: string; message: Message }
  /** A reply in a thread you started or replied in (counted like a mention; not your own). */
  | { type: 'thread.reply'; channelId: string; message: Message }
  /** A new message in one of your direct conversations. */
  | { type: 'direct.message'; channelId: string; message: Message }
  /** An agent was added, changed or removed (agent.list tells what it is now). */
  | { type: 'agent.changed'; handle: string; removed: boolean }
  /** An agent working on a reply you asked for: what it is doing (also on the reply's channel). */
  | ({ type: 'agent.status'; channelId: string } & AgentStatusReport);

/** What `user.onEvent` yields. `reset` means: read channel.list again, ids before this are void. */
export type UserEvent = UserChange | UserSignal | { type: 'reset' };

/** A stored change with its place in the user's stream. */
export interface UserStreamEvent {
  userId: string;
  offset: number;
  change: UserChange;
}

/** The bus topic of a user's stream, and of the public channel directory. */
export const userTopic = (userId: string) => `user:${userId}`;
export const DIRECTORY_TOPIC = 'directory';

/** How many unread messages are counted per channel: past it, a client shows "999+". */
export const UNREAD_CAP = 1000;

/** What a people search returns: enough to show and mention someone. */
export type Person = Pick<User, 'id' | 'handle' | 'displayName' | 'role'>;

/** The handles a text mentions ("@alice", "@channel"), lowercased, each once, at most `max`. */
export function mentionedHandles(text: string, max = 50): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(/(?:^|[^\w@.])@([a-z0-9]+(?:[._-][a-z0-9]+)*)/gi)) {
    found.add((match[1] as string).toLowerCase());
    if (found.size >= max) break;
  }
  return [...found];
}

/** Mentions everyone in the channel: allowed to its owner and to admins. */
export const CHANNEL_MENTION = 'channel';

/** The direct conversation key of a set of people: their ids, sorted, once each. */
export const directKey = (userIds: string[]) => [...new Set(userIds)].sort().join(',');

/** People in one direct conversation, the caller included. */
export const MAX_DIRECT_PEOPLE = 9;
/** People one channel.invite may add. */
export const MAX_INVITES = 50;

export const ZUserEventInput = z.object({ lastEventId: ZEventId.nullish() }).nullish();
export const ZUserListInput = z
  .object({
    query: z.string().trim().max(64).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();
export const ZInviteInput = z.object({ channelId: ZId, userIds: z.array(ZId).min(1).max(MAX_INVITES) });
export const ZRemoveMemberInput = z.object({ channelId: ZId, userId: ZId });
export const ZDirectOpenInput = z.object({
  userIds: z
    .array(ZId)
    .min(1)
    .max(MAX_DIRECT_PEOPLE - 1),
  /**
   * A new conversation even when one with these people exists: a session with agents (allowed only
   * when everyone else is an agent). Its name, if given, is what the sidebar shows.
   */
  fresh: z.boolean().optional(),
  name: z.string().trim().min(1).max(LIMITS.channelName).optional(),
});
export const ZMarkReadInput = z.object({ channelId: ZId, messageId: ZId });
