import type {
  BusEvent,
  Channel,
  ChannelChange,
  Member,
  Message,
  MessageMeta,
  Role,
  StreamEvent,
  User,
  Visibility,
} from './types';

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
}

export interface NewChannel {
  slug: string;
  name: string;
  topic?: string | undefined;
  visibility: Visibility;
  createdBy: string | null;
}

export interface NewMessage {
  channelId: string;
  authorId: string | null;
  content: string;
  role?: 'user' | 'assistant' | 'system';
  status?: Message['status'];
  clientId?: string | undefined;
  meta?: MessageMeta | undefined;
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
}

export interface StreamInfo {
  epoch: string;
  head: number;
  oldestRetained: number;
}

/**
 * Chat persistence. Every method that changes a channel appends the change to
 * the channel's stream in the same transaction and returns the stored event.
 */
export interface ChatStore {
  epoch(): string;
  createChannel(input: NewChannel): Promise<{ channel: Channel; events: StreamEvent[] }>;
  channelById(id: string): Promise<Channel | null>;
  channelBySlug(slug: string): Promise<Channel | null>;
  /** Public channels plus the private ones `userId` belongs to; archived last. */
  listChannels(userId: string): Promise<(Channel & { joined: boolean })[]>;
  membership(channelId: string, userId: string): Promise<Member | null>;
  members(channelId: string): Promise<Member[]>;
  join(channelId: string, userId: string, role?: Member['role']): Promise<StreamEvent | null>;
  leave(channelId: string, userId: string): Promise<StreamEvent | null>;
  archive(channelId: string): Promise<{ channel: Channel; event: StreamEvent }>;
  /** Idempotent on (channel, author, clientId): a retry returns the stored message and no event. */
  sendMessage(input: NewMessage): Promise<{ message: Message; event: StreamEvent | null }>;
  messageById(id: string): Promise<Message | null>;
  /** `edited` marks a person's edit (shown as "edited"); a finished stream is not one. */
  editMessage(id: string, patch: MessagePatch): Promise<{ message: Message; event: StreamEvent }>;
  deleteMessage(id: string): Promise<StreamEvent>;
  history(channelId: string, opts: { before?: number | undefined; limit: number }): Promise<HistoryPage>;
  streamInfo(channelId: string): Promise<StreamInfo>;
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
