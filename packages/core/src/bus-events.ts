import type { TaskSignal, TaskStreamEvent } from './tasks';
import type { ChannelSignal, StreamEvent } from './types';

/** What the bus carries: channel changes and signals (topic = channel id), task changes and logs (topic "tasks"). */
export type BusEvent =
  | { kind: 'change'; event: StreamEvent }
  | { kind: 'signal'; channelId: string; signal: ChannelSignal }
  | { kind: 'task'; event: TaskStreamEvent }
  | { kind: 'task-signal'; signal: TaskSignal }
  /** Instance-to-instance requests (topic "control"), e.g. stop a reply streaming elsewhere. */
  | { kind: 'control'; command: ControlCommand }
  /** Local only (never published): the bus may have dropped events, so streams re-read the store. */
  | { kind: 'resync' };

export type ControlCommand =
  | { type: 'cancel-reply'; messageId: string; userId: string }
  /** Sessions ended or API keys revoked: every instance closes their open connections at once. */
  | { type: 'end-credentials'; sessionIds: string[]; apiKeyIds: string[]; reason: string };
