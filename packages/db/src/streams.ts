import type { KeyedStream, SingleStream } from './stream-log';

/**
 * The streams the stores write, for either dialect's StreamLog. Message
 * events keep only the message id (hydrated on replay, see chat-events.ts);
 * task events are the task as every subscriber may see it.
 */

/** A channel's stream: its head is the channel row, which a message also stamps with lastMessageAt. */
export const channelStream = {
  events: 'channelEvents',
  key: 'channelId',
  head: { table: 'channels', key: 'id', offset: 'lastOffset', stamp: 'lastMessageAt' },
  missing: 'channel',
} as const satisfies KeyedStream;

/** A person's own stream (user.onEvent): its head is the user row. */
export const userStream = {
  events: 'userEvents',
  key: 'userId',
  head: { table: 'users', key: 'id', offset: 'lastEventOffset' },
  missing: 'user',
} as const satisfies KeyedStream;

/** The task stream: one for all tasks. */
export const taskStream = { events: 'taskEvents', counter: 'task_events' } as const satisfies SingleStream;

/** Every declared stream, by name: the stream log contract runs on each (test/stream-log-contract.ts). */
export const declaredStreams = { channel: channelStream, user: userStream, task: taskStream };
export type StreamName = keyof typeof declaredStreams;
