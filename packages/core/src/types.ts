export type Role = 'admin' | 'member' | 'agent';
export type Visibility = 'public' | 'private';
/** A channel, or a direct conversation (private, one per set of people: dm.open). */
export type ChannelKind = 'channel' | 'dm';

export interface User {
  id: string;
  handle: string;
  displayName: string;
  role: Role;
  createdAt: string;
}

export interface Channel {
  id: string;
  slug: string;
  name: string;
  topic: string | null;
  visibility: Visibility;
  kind: ChannelKind;
  createdBy: string | null;
  memberCount: number;
  lastMessageAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  /** Offset of the channel's newest stream event. */
  lastOffset: number;
}

export interface Member {
  userId: string;
  handle: string;
  displayName: string;
  role: 'owner' | 'member';
  joinedAt: string;
}

export interface MessageMeta {
  lane?: string;
  provider?: string;
  tokenCount?: number;
  /** The model that wrote an assistant reply. */
  model?: string;
  /** Why an assistant reply failed, in words a person can act on. */
  error?: string;
  /** The model an agent asked for when this server has no such model (the default one wrote the reply). */
  requestedModel?: string;
  /** Who asked for an assistant reply (they, or an admin, may stop it). */
  requestedBy?: string;
  /** The server instance streaming an assistant reply (a dead one's replies are marked interrupted). */
  instance?: string;
  /**
   * Set while an assistant reply waits for a free model slot (its status stays "streaming": in
   * progress): 1 = next in line. Kept up to date as the queue moves; gone once it generates.
   */
  queuePosition?: number;
  /** When the current text of a regenerated reply was asked for (unset for the first version). */
  regeneratedAt?: string;
  /** The users this message mentions (members named by @handle, or all by @channel): set by the server. */
  mentions?: string[];
  /** Earlier versions of a regenerated assistant reply, oldest first (bounded). */
  versions?: ReplyVersion[];
  /**
   * A thread reply's followers told of it: the root's author and the earlier repliers, not this
   * reply's author (at most THREAD_LIMITS.followers): set by the store.
   */
  threadFollowers?: string[];
  /**
   * A thread root deleted while it has replies: its words, files and reactions are gone, and it stays
   * as their root ("This message was deleted") until its last reply goes too.
   */
  deleted?: true;
  /** An assistant reply's tool calls, in order (see replyParts): each with its state. */
  toolCalls?: ToolCallPart[];
  /**
   * Set while an assistant reply waits for a person to approve or deny a tool call (its status stays
   * "streaming": in progress, holding no model slot); it survives restarts and resumes on the decision.
   */
  awaitingApproval?: true;
}

/** An earlier text of an assistant reply, kept when it was regenerated. */
export interface ReplyVersion {
  text: string;
  model?: string;
  /** When this version was asked for. */
  at: string;
  status: 'complete' | 'cancelled' | 'failed';
}

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'complete' | 'streaming' | 'cancelled' | 'failed';

export interface Message {
  id: string;
  /** Per-channel sequence number; history cursors use it. */
  seq: number;
  channelId: string;
  authorId: string | null;
  author: { handle: string; displayName: string } | null;
  role: MessageRole;
  status: MessageStatus;
  content: string;
  clientId: string | null;
  meta: MessageMeta | null;
  createdAt: string;
  editedAt: string | null;
  /** Its reactions, oldest emoji first; absent or empty when it has none (a new message). */
  reactions?: Reaction[];
  /** Its files, in upload order; absent when it has none. */
  attachments?: Attachment[];
  /** A thread reply: its root message's id (absent for a message of the channel itself). */
  threadId?: string;
  /** A thread reply that shows in the channel too ("Also send to channel"); absent when not. */
  alsoInChannel?: true;
  /** A thread root's replies; absent while it has none. */
  thread?: ThreadSummary;
}

/** What a thread root carries about its replies. */
export interface ThreadSummary {
  replyCount: number;
  lastReplyAt: string;
  /** The latest repliers' user ids, newest first, at most THREAD_LIMITS.repliers (the assistant is not listed). */
  repliers: string[];
}

export const THREAD_LIMITS = {
  /** Repliers a root lists. */
  repliers: 3,
  /** Followers a reply notifies (the root's author and the earliest repliers first). */
  followers: 50,
} as const;

/**
 * A file attached to a message. The bytes are served by `GET /api/files/<id>`
 * to those who may read its channel, never to anyone else.
 */
export interface Attachment {
  id: string;
  /** The uploader's file name (shown, never used as a path). */
  name: string;
  /** Sniffed from the bytes at upload, not the uploader's claim. */
  contentType: string;
  size: number;
  /** An image's pixel size (for layout before it loads). */
  width?: number;
  height?: number;
  /** A smaller copy exists: `GET /api/files/<id>/thumbnail`. */
  thumbnail?: boolean;
}

export const ATTACHMENT_LIMITS = {
  /** Files on one message. */
  perMessage: 10,
  /** Characters of a file name (longer ones are cut at upload). */
  name: 200,
} as const;

/**
 * One emoji's reactions to a message. The same for every reader (stream events
 * are shared): a client tells "mine" by looking for its own id in `userIds`.
 */
export interface Reaction {
  emoji: string;
  count: number;
  /** The first people who reacted with it, oldest first, at most REACTION_LIMITS.userIds. */
  userIds: string[];
}

export const REACTION_LIMITS = {
  /** Distinct emoji on one message. */
  emoji: 20,
  /** Reactors listed per emoji (the count has them all). */
  userIds: 20,
} as const;

/** Persisted (tracked) changes of a channel, in offset order. */
export type ChannelChange =
  | { type: 'message.created'; message: Message }
  | { type: 'message.updated'; message: Message }
  | { type: 'message.deleted'; messageId: string }
  | { type: 'message.reactions'; messageId: string; reactions: Reaction[] }
  /** A thread root's replies changed (a reply came or went); null: it has none left. */
  | { type: 'thread.updated'; messageId: string; thread: ThreadSummary | null }
  | { type: 'member.joined'; member: Member }
  | { type: 'member.left'; userId: string }
  | { type: 'channel.updated'; channel: Channel }
  /** The channel's plan changed (an agent's update_todos, or a person ticked an item): the whole list. */
  | { type: 'todo.updated'; todos: TodoList };

/** Ephemeral events: delivered live, never stored or replayed. */
export type ChannelSignal =
  | { type: 'message.delta'; messageId: string; index: number; text: string }
  /** An agent's live status in this channel (ephemeral, like typing): "thinking" while it writes `messageId`. */
  | ({ type: 'agent.status' } & AgentStatusReport)
  | { type: 'typing'; userId: string; displayName: string; until: string }
  | { type: 'presence'; online: string[] };

/** A stored change with its place in the channel's stream. */
export interface StreamEvent {
  channelId: string;
  offset: number;
  change: ChannelChange;
}

/** What `channel.onEvent` yields. `reset` means: refetch history, ids before this are void. */
export type ChannelEvent = ChannelChange | ChannelSignal | { type: 'reset' };

/**
 * A live status, sent as the `agent.status` signal on the channels it works in and on the asker's
 * user stream: "calling" names the tool; "awaiting-approval" waits for a person's decision.
 */
export type AgentStatus = 'idle' | 'thinking' | 'calling' | 'awaiting-approval' | 'error';

/** What `agent.status` says: which agent, doing what, on which reply. */
export interface AgentStatusReport {
  agentId: string;
  handle: string;
  name: string;
  status: AgentStatus;
  /** The tool it is calling (status "calling"). */
  tool?: string;
  messageId: string;
  /** Who asked for the reply (their user stream is told too). */
  requestedBy?: string;
}

/**
 * A conversation's plan (todos.ts): the list an agent keeps with `update_todos` and people tick.
 */
export type TodoStatus = 'pending' | 'in_progress' | 'done';

export interface TodoItem {
  /** Stable while the list is not replaced: `todo.update` names an item by it. */
  id: string;
  content: string;
  status: TodoStatus;
}

export interface TodoList {
  channelId: string;
  /** In plan order. Empty: no plan yet. */
  items: TodoItem[];
  /** When it last changed, and by whom (an agent's or a person's user id); null: never. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/** A tool call of an assistant reply (tool-calls.ts). */
export type ToolCallState = 'awaiting-approval' | 'running' | 'done' | 'failed' | 'denied';

export interface ToolCallPart {
  toolCallId: string;
  toolName: string;
  /** The arguments the model gave (validated by the tool before it runs). Optional only as JSON types go. */
  input?: unknown;
  state: ToolCallState;
  /** What the tool returned (state "done"); bounded (TOOL_CALL_LIMITS.output). */
  output?: unknown;
  /** Why it failed or was denied, in words. */
  error?: string;
  /** Characters of the reply's text before the call. */
  at: number;
  /** The loop step it was made in (0: the first answer of the model). */
  step: number;
  /** The tool loop's approval id (a call that needed approval). */
  approvalId?: string;
  /** Who approved or denied it. */
  decidedBy?: { id: string; displayName: string };
  /** The reason given with a denial. */
  reason?: string;
}
