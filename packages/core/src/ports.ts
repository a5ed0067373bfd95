import type { Agent, AgentUpsertInput } from './agents';
import type { BusEvent } from './bus-events';
import type { NotificationStore } from './notifications';
import type { UserChange, UserStreamEvent } from './people';
import type { ChannelAccess, Membership } from './permissions';
import type { SearchPage, SearchRequest } from './search';
import type { Approval, Task, TaskChange, TaskLogLine, TaskProgress, TaskStatus, TaskStreamEvent } from './tasks';
import type { TodoItemsInput } from './todos';
import type {
  Attachment,
  Channel,
  ChannelChange,
  ChannelKind,
  Member,
  Message,
  MessageMeta,
  Reaction,
  Role,
  StreamEvent,
  TodoList,
  TodoStatus,
  User,
  Visibility,
} from './types';

/** A rate limiter's answer: allowed, or how long until the key has budget again. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A budget of points per key (a user, a client address) over a time window,
 * shared by every instance of a cluster when it is backed by Redis.
 */
export interface RateLimiter {
  /** Takes `points` (default 1) from `key`'s budget; refused once it is spent (until the window turns). */
  consume(key: string, points?: number): Promise<RateDecision>;
  /** Points taken from `key` in the current window, without taking any. */
  used(key: string): Promise<number>;
  /** Gives `key` its whole budget back (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface UserWithSecret extends User {
  passwordHash: string;
}

export interface UserStore {
  /** Creates a user; the first user of a database becomes admin. Throws CONFLICT on a taken handle. */
  create(input: { handle: string; displayName: string; passwordHash: string }): Promise<User>;
  byId(id: string): Promise<User | null>;
  byHandleWithSecret(handle: string): Promise<UserWithSecret | null>;
  /** The users with these handles (those that exist). */
  byHandles(handles: string[]): Promise<User[]>;
  /** People and agents whose handle or name starts with `query` (any, without one), by handle. */
  search(query: string | undefined, limit: number): Promise<User[]>;
  /** Every admin (those told when something waits for a person's decision). */
  admins(): Promise<User[]>;
}

/** A sign-in: every user token names one, and ends with it. */
export interface Session {
  id: string;
  userId: string;
  createdAt: string;
  /** The absolute end: refreshing tokens never carries a session past it. */
  expiresAt: string;
  revokedAt: string | null;
}

export interface SessionStore {
  create(input: { id: string; userId: string; secretHash: string; expiresAt: string }): Promise<Session>;
  byIdWithSecret(id: string): Promise<(Session & { secretHash: string }) | null>;
  /** The session with its secret hash and its person, in one read: what every sign-in and refresh needs. */
  withUser(id: string): Promise<{ session: Session & { secretHash: string }; user: User } | null>;
  /** Ends one session (logout); null when there is no such session. Ending it twice keeps the first time. */
  revoke(id: string, at: string): Promise<Session | null>;
  /** Ends every live session of a user (logout everywhere); returns the ids it ended. */
  revokeAllOf(userId: string, at: string): Promise<string[]>;
  /** Forgets sessions that ended (expired or revoked) before `before`; returns how many. */
  prune(before: string): Promise<number>;
}

/** Live: not revoked and not past its absolute end. */
export function isSessionLive(session: Pick<Session, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return session.revokedAt === null && Date.parse(session.expiresAt) > now;
}

export interface NewChannel {
  slug: string;
  name: string;
  topic?: string | undefined;
  visibility: Visibility;
  createdBy: string | null;
  /** A direct conversation, found again by its people (`dmKey`: their sorted ids). */
  kind?: ChannelKind;
  dmKey?: string;
}

/** A position in the channel list (archived last, then by slug) and a page size. */
export interface ChannelPage {
  after?: { archived: boolean; slug: string };
  limit?: number;
}

export interface NewMessage {
  channelId: string;
  authorId: string | null;
  content: string;
  role?: 'user' | 'assistant' | 'system';
  status?: Message['status'];
  clientId?: string | undefined;
  meta?: MessageMeta | undefined;
  /** A thread reply: the root's id (NOT_FOUND if it is gone, BAD_REQUEST if it is elsewhere or a reply itself). */
  threadId?: string | undefined;
  /** A thread reply that shows in the channel too. */
  alsoInChannel?: boolean | undefined;
  /**
   * The store checks that the author may post here (assertCanPost) in the
   * transaction that stores the message: a send racing a leave or an archive
   * never lands after it, and the caller needs no reads of its own first.
   */
  checkPostAccess?: boolean;
  /**
   * Pending uploads (AttachmentStore.create) to attach, in the transaction that
   * stores the message: each must be the author's, in this channel, not yet
   * sent (BAD_REQUEST otherwise, and nothing is stored).
   */
  attachmentIds?: readonly string[] | undefined;
}

export interface MessagePatch {
  content?: string;
  status?: Message['status'];
  meta?: MessageMeta;
  edited?: boolean;
}

export interface HistoryPage {
  items: Message[];
  /** Pass as `before` for the next (older) page; null at the start of the channel. */
  nextCursor: number | null;
  /** Stream position of this read: subscribe with it as lastEventId to miss nothing. */
  eventId: string;
  /**
   * Pass as `after` for the next newer page; null when this page reaches the newest message. Set on
   * pages read with `after` and on windows (around); absent on `before` pages (the newer side is loaded).
   */
  newerCursor?: number | null;
}

/** A window of a channel's messages around one (message.around): a history page that pages both ways. */
export interface AroundPage extends HistoryPage {
  channelId: string;
  /** The message the window is centred on: the one asked for, or its thread's root for a reply not in the channel. */
  messageId: string;
  newerCursor: number | null;
}

/** A page of a thread: its root, and replies newest first like a history page. */
export interface ThreadPage extends HistoryPage {
  root: Message;
}

export interface StreamInfo {
  epoch: string;
  head: number;
  oldestRetained: number;
}

/** What channel.update changes: the name, the topic (null clears it). */
export interface ChannelPatch {
  name?: string;
  topic?: string | null;
}

/**
 * Chat persistence. Every method that changes a channel appends the change to
 * the channel's stream in the same transaction and returns the stored event.
 */
export interface ChatStore {
  epoch(): string;
  /** The channel's plan (no items when it has none). */
  todos(channelId: string): Promise<TodoList>;
  /** Replaces the channel's plan whole (the items get new ids), with the todo.updated event. */
  replaceTodos(channelId: string, items: TodoItemsInput, by: string): Promise<{ todos: TodoList; event: StreamEvent }>;
  /** Sets one item's status, with the todo.updated event; NOT_FOUND for an id the plan does not have. */
  setTodoStatus(
    channelId: string,
    id: string,
    status: TodoStatus,
    by: string,
  ): Promise<{ todos: TodoList; event: StreamEvent }>;
  createChannel(input: NewChannel): Promise<{ channel: Channel; events: StreamEvent[] }>;
  channelById(id: string): Promise<Channel | null>;
  /**
   * What the read and post rules look at, in one read (every subscribe checks it): the channel's
   * visibility and archive state, and `userId`'s role in it (null: not a member). Null when there is no
   * such channel.
   */
  access(channelId: string, userId: string): Promise<{ channel: ChannelAccess; membership: Membership | null } | null>;
  channelBySlug(slug: string): Promise<Channel | null>;
  /**
   * Public channels plus the private ones `userId` belongs to, archived last,
   * then by slug; a page of at most `limit` after the position `after`.
   */
  listChannels(userId: string, page?: ChannelPage): Promise<(Channel & { joined: boolean })[]>;
  membership(channelId: string, userId: string): Promise<Member | null>;
  members(channelId: string): Promise<Member[]>;
  /** Makes the user a member (reading from the channel's head on: nothing before counts as unread). */
  join(channelId: string, userId: string, role?: Member['role']): Promise<StreamEvent | null>;
  /**
   * The direct conversation of exactly these people (`dmKey`), created with
   * all of them as members if it does not exist yet; `created` tells which.
   */
  openDirect(input: NewChannel & { dmKey: string; userIds: string[] }): Promise<{ channel: Channel; created: boolean }>;
  leave(channelId: string, userId: string): Promise<StreamEvent | null>;
  archive(channelId: string): Promise<{ channel: Channel; event: StreamEvent }>;
  /** Makes an archived channel writable again (a no-op change on one that is not: it still appends the event). */
  unarchive(channelId: string): Promise<{ channel: Channel; event: StreamEvent }>;
  /** Renames a channel or sets its topic (null clears it), with the channel.updated event. */
  update(channelId: string, patch: ChannelPatch): Promise<{ channel: Channel; event: StreamEvent }>;
  /**
   * Idempotent on (channel, author, clientId): a retry returns the stored message and no event.
   * A thread reply also updates its root's summary, in the same transaction: `threadEvent` is
   * the root's thread.updated (after the reply's message.created).
   */
  sendMessage(
    input: NewMessage,
  ): Promise<{ message: Message; event: StreamEvent | null; threadEvent?: StreamEvent | null | undefined }>;
  messageById(id: string): Promise<Message | null>;
  /** `edited` marks a person's edit (shown as "edited"); a finished stream is not one. */
  editMessage(id: string, patch: MessagePatch): Promise<{ message: Message; event: StreamEvent }>;
  /**
   * Deletes a message: `event` is its message.deleted. `events` is every event the delete stored, in
   * offset order: a thread root takes its replies with it (their message.deleted first); a reply
   * leaves its root's thread.updated after its own.
   */
  deleteMessage(id: string): Promise<{ event: StreamEvent; events: StreamEvent[] }>;
  /**
   * Adds (`on`) or takes back the user's `emoji` on a message, with the
   * message.reactions event, in one transaction. Harmless twice: a reaction
   * already there (or already gone) changes nothing and appends no event.
   * BAD_REQUEST past REACTION_LIMITS.emoji distinct emoji; NOT_FOUND for no such message.
   */
  react(input: {
    messageId: string;
    userId: string;
    emoji: string;
    on: boolean;
  }): Promise<{ reactions: Reaction[]; event: StreamEvent | null }>;
  /**
   * The channel's messages newest first; thread replies only when also in the channel. With `after`: the
   * page just newer than that seq (still newest first; `newerCursor` says whether more follow).
   */
  history(
    channelId: string,
    opts: { before?: number | undefined; after?: number | undefined; limit: number },
  ): Promise<HistoryPage>;
  /**
   * The channel's messages around one (newest first, like history; the main list's rule): about half
   * older, half newer. NOT_FOUND for no such message. The caller checks the reader may read its channel.
   */
  around(messageId: string, opts: { limit: number }): Promise<AroundPage>;
  /** A thread root and a page of its replies, newest first; NOT_FOUND for no such message, BAD_REQUEST for a reply. */
  thread(rootId: string, opts: { before?: number | undefined; limit: number }): Promise<ThreadPage>;
  streamInfo(channelId: string): Promise<StreamInfo>;
  /** Assistant replies still marked streaming (after a crash: to be marked failed). */
  streamingMessages(): Promise<Message[]>;
  /** Stored events with offset > after, oldest first, at most `limit`. */
  eventsAfter(channelId: string, after: number, limit: number): Promise<StreamEvent[]>;
}

export type { ChannelChange, Role };

export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(channelId: string, event: BusEvent): Promise<void>;
  /** One call per channel per process (the hub's job); returns the unsubscribe. */
  subscribe(channelId: string, onEvent: (event: BusEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface NewTask {
  title: string;
  agent?: string | undefined;
  input?: unknown;
  totalSteps?: number | undefined;
  createdBy: string | null;
  /** Input and result only for the creator, the worker, the agent it is for and admins (taskDataAccess). */
  sensitive?: boolean | undefined;
}

export interface TaskPatch {
  status?: TaskStatus;
  progress?: Partial<TaskProgress>;
  error?: string;
  result?: unknown;
}

export interface TaskStats {
  counts: Record<TaskStatus, number>;
  lastHour: { completed: number; failed: number };
  /** Runs finished per minute over the last hour, oldest first (60 entries). */
  perMinute: { minute: string; completed: number; failed: number }[];
}

export interface TaskTimelineEntry {
  type: TaskChange['type'];
  status: TaskStatus;
  at: string;
}

type Changed = { task: Task; event: TaskStreamEvent };

/**
 * Task persistence. Status changes are checked against the status machine
 * inside the writing transaction, so two racing calls cannot both win.
 */
export interface TaskStore {
  epoch(): string;
  create(input: NewTask): Promise<Changed>;
  byId(id: string): Promise<Task | null>;
  list(filter: { status?: TaskStatus; agent?: string; cursor?: number; limit: number }): Promise<{
    items: Task[];
    nextCursor: number | null;
  }>;
  /** Atomically takes the oldest queued task for `agent` (or for anyone); null when there is none. */
  claim(agent: string, workerId: string): Promise<Changed | null>;
  /** Moves the task (status checked against the machine) and records the event. */
  update(
    id: string,
    patch: TaskPatch,
    eventType: 'run_update' | 'run_complete' | 'run_failed' | 'run_cancelled',
  ): Promise<Changed>;
  /** Marks the worker alive without an event. Throws CONFLICT once the task is no longer running. */
  heartbeat(id: string): Promise<Task>;
  appendLogs(id: string, lines: string[]): Promise<{ task: Task; lines: TaskLogLine[] }>;
  logs(id: string, limit: number): Promise<TaskLogLine[]>;
  requestApproval(id: string, action: string, detail?: string): Promise<Changed & { approval: Approval }>;
  decide(
    approvalId: string,
    approve: boolean,
    decidedBy: string,
    comment?: string,
  ): Promise<Changed & { approval: Approval }>;
  approvals(taskId: string): Promise<Approval[]>;
  timeline(taskId: string): Promise<TaskTimelineEntry[]>;
  stats(now: number): Promise<TaskStats>;
  /** Running tasks whose worker has been silent since before `silentSince` (ms epoch). */
  staleRuns(silentSince: number): Promise<Task[]>;
  streamInfo(): Promise<StreamInfo>;
  eventsAfter(after: number, limit: number, taskId?: string): Promise<TaskStreamEvent[]>;
}

export interface ApiKey {
  id: string;
  name: string;
  role: 'agent' | 'member';
  /** The identity the key acts as (its messages, tasks). */
  userId: string;
  /** First characters of the key, for telling keys apart in a list. */
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** The agent names the key claims tasks for (a key minted without a list: its own name). */
  agents: string[];
}

export interface ApiKeyStore {
  /** Creates the key's user (handle = name) and the key; CONFLICT when the name is taken. */
  create(input: {
    id: string;
    name: string;
    role: ApiKey['role'];
    prefix: string;
    secretHash: string;
    createdBy: string;
    /** Absent: just the key's own name. */
    agents?: readonly string[] | undefined;
  }): Promise<ApiKey>;
  byIdWithSecret(id: string): Promise<(ApiKey & { secretHash: string }) | null>;
  list(): Promise<ApiKey[]>;
  revoke(id: string): Promise<ApiKey>;
  touch(id: string, at: string): Promise<void>;
}

export interface ModelMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * Full-text search over messages. Only messages of channels the reader may read
 * (public ones, and those they are a member of) are ever matched, in the same
 * query that ranks them: a page is never short because of what a reader may not see.
 */
export interface SearchStore {
  /**
   * The best matches (most relevant first, then newest) among the newest
   * SEARCH_LIMITS.window matches; deleted messages and replies still streaming never match.
   */
  search(request: SearchRequest): Promise<SearchPage>;
}

/** The stores a Hubbub needs, all on one database (SQLite or PostgreSQL). */
/** Where a member is in a channel, and what is unread after it. */
export interface ReadState {
  channelId: string;
  kind: ChannelKind;
  /** The seq of the last message read. */
  readSeq: number;
  /** The channel's stream head when counted: later messages are new. */
  headSeq: number;
  lastMessageAt: string | null;
  unread: number;
  mentions: number;
}

export interface PeopleStore {
  epoch(): string;
  /** Appends each change to its user's stream (one transaction); returns the stored events. */
  append(entries: { userId: string; change: UserChange }[]): Promise<UserStreamEvent[]>;
  streamInfo(userId: string): Promise<StreamInfo>;
  eventsAfter(userId: string, after: number, limit: number): Promise<UserStreamEvent[]>;
  /**
   * Moves the member's read position forward to `seq` and stores the
   * `channel.read` change with the counts after it; null (nothing stored)
   * when the position is there already or further.
   */
  markRead(userId: string, channelId: string, seq: number): Promise<UserStreamEvent | null>;
  /** The read state of every channel the user is a member of (of those in `channelIds` only, when given). */
  readStates(userId: string, channelIds?: readonly string[]): Promise<ReadState[]>;
}

/**
 * The agent registry: an agent is a user of role "agent" with its settings in
 * a row beside it. Handles are unique among all users.
 */
export interface AgentStore {
  /** Every agent, by handle. */
  list(): Promise<Agent[]>;
  byHandle(handle: string): Promise<Agent | null>;
  /** The agents among these users (a DM's members): those that exist. */
  byUserIds(userIds: readonly string[]): Promise<Agent[]>;
  /**
   * Creates the agent (and its user, with no usable password) or updates it, by handle; a removed
   * agent's handle brings that same user back. CONFLICT when the handle is a person's or an API key's.
   */
  upsert(input: AgentUpsertInput, by: string | null): Promise<{ agent: Agent; created: boolean }>;
  /**
   * Deletes the agent's settings; its user stays (its replies keep their author) but answers no more.
   * NOT_FOUND when there is no such agent.
   */
  remove(handle: string): Promise<Agent>;
}

/**
 * Bytes by key (an attachment's id, `<id>.thumb` for its thumbnail): files in
 * the data directory for one instance, a PostgreSQL table in a cluster so every
 * instance serves every file. Whole values: an upload is bounded (HUBBUB_MAX_UPLOAD_BYTES).
 */
export interface BlobStore {
  /** Stores `data` under `key`, replacing what was there. */
  put(key: string, data: Buffer): Promise<void>;
  /** The bytes under `key`; null when there are none. */
  get(key: string): Promise<Buffer | null>;
  /** Forgets these keys; missing ones are harmless. */
  delete(keys: readonly string[]): Promise<void>;
}

/** An upload as stored: the message it belongs to (null until sent), who sent it where. */
export interface StoredAttachment extends Attachment {
  channelId: string;
  messageId: string | null;
  uploaderId: string;
  createdAt: string;
}

export type NewAttachment = Omit<StoredAttachment, 'messageId' | 'createdAt'>;

/**
 * Attachment rows (the bytes are the BlobStore's). An upload is pending until a
 * message takes it (NewMessage.attachmentIds); a message's are deleted with it.
 */
export interface AttachmentStore {
  /** Records a pending upload (its bytes already in the BlobStore under its id). */
  create(input: NewAttachment): Promise<StoredAttachment>;
  byId(id: string): Promise<StoredAttachment | null>;
  /** The attachments of these messages, per message, in upload order. */
  ofMessages(messageIds: readonly string[]): Promise<Map<string, Attachment[]>>;
  /** Deletes the attachment rows of these (deleted) messages; returns them (their blobs are the caller's to delete). */
  deleteByMessages(messageIds: readonly string[]): Promise<StoredAttachment[]>;
  /**
   * Deletes uploads never sent that were made before `before` (ISO time), and
   * rows whose message is gone (a crash between a message's delete and its
   * files'); returns them.
   */
  removeStale(before: string): Promise<StoredAttachment[]>;
}

export interface StoreSet {
  kind: 'sqlite' | 'postgres';
  users: UserStore;
  chat: ChatStore;
  people: PeopleStore;
  tasks: TaskStore;
  apiKeys: ApiKeyStore;
  sessions: SessionStore;
  notifications: NotificationStore;
  attachments: AttachmentStore;
  blobs: BlobStore;
  search: SearchStore;
  agents: AgentStore;
}
