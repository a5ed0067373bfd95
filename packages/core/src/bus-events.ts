import type { UserStreamEvent } from './people';
import type { TaskSignal, TaskStreamEvent } from './tasks';
import type { Channel, ChannelSignal, StreamEvent } from './types';

/**
 * What the bus carries: channel changes and signals (topic = channel id), task changes and logs (topic "tasks"),
 * people's own streams (topic "user:<id>") and the public channel directory (topic "directory").
 */
export type BusEvent =
  | { kind: 'change'; event: StreamEvent }
  | { kind: 'signal'; channelId: string; signal: ChannelSignal }
  | { kind: 'task'; event: TaskStreamEvent }
  | { kind: 'task-signal'; signal: TaskSignal }
  /** A stored change of one person's stream (topic userTopic(userId)). */
  | { kind: 'user'; event: UserStreamEvent }
  /** A public channel appeared or changed (topic DIRECTORY_TOPIC): everyone's list shows it. */
  | { kind: 'directory'; channel: Channel }
  /** An agent was added, changed or removed (topic DIRECTORY_TOPIC): lists and pickers read the registry again. */
  | { kind: 'agents'; handle: string; removed: boolean }
  /** Instance-to-instance requests (topic "control"), e.g. stop a reply streaming elsewhere. */
  | { kind: 'control'; command: ControlCommand }
  /** Local only (never published): the bus may have dropped events, so streams re-read the store. */
  | { kind: 'resync' };

export type ControlCommand =
  | { type: 'cancel-reply'; messageId: string; userId: string }
  /** Sessions ended or API keys revoked: every instance closes their open connections at once. */
  | { type: 'end-credentials'; sessionIds: string[]; apiKeyIds: string[]; reason: string };
