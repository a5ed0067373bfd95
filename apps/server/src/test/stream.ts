import type { HubbubClient } from '@hubbub/client';
import { arrivals } from './arrivals';

export interface Received {
  id: string;
  data: { type: string; [key: string]: unknown };
}

/** Everything a subscription yielded, and a way to wait for what a test expects of it (no polling). */
export interface EventRecorder<E = Received> {
  events: E[];
  errors: unknown[];
  /** Resolves once `predicate` holds for the events so far (or rejects after `timeoutMs`, listing what came). */
  until(predicate: (events: E[]) => boolean, timeoutMs?: number): Promise<E[]>;
  stop(): void;
}

export interface StreamRecorder extends EventRecorder {
  /** Stored (offset-bearing) events only, i.e. no presence/typing/delta. */
  changes(): Received[];
}

interface Handlers<E> {
  onData(event: E): void;
  onError(error: unknown): void;
}

/** Records a subscription opened by `subscribe` with the recorder's handlers. */
export function recordEvents<E extends { data: { type: string } } = Received>(
  subscribe: (handlers: Handlers<E>) => { unsubscribe(): void },
): EventRecorder<E> {
  const events: E[] = [];
  const errors: unknown[] = [];
  const seen = arrivals(events, (all) => `${JSON.stringify(all.map((e) => e.data.type))} errors ${errors.join(',')}`);
  const sub = subscribe({
    onData: (event) => {
      events.push(event);
      seen.arrived();
    },
    onError: (error) => {
      errors.push(error);
      seen.arrived();
    },
  });
  return {
    events,
    errors,
    until: (predicate, timeoutMs = 8000) => seen.until(predicate, timeoutMs),
    stop: () => sub.unsubscribe(),
  };
}

const EPHEMERAL = new Set(['presence', 'typing', 'message.delta']);

/** Subscribes to channel.onEvent and records everything it yields. */
export function recordChannel(client: HubbubClient, channelId: string, lastEventId?: string): StreamRecorder {
  const recorder = recordEvents<Received>((handlers) =>
    client.api.channel.onEvent.subscribe(
      { channelId, lastEventId },
      { onData: (event) => handlers.onData(event as unknown as Received), onError: handlers.onError },
    ),
  );
  return { ...recorder, changes: () => recorder.events.filter((e) => !EPHEMERAL.has(e.data.type)) };
}

/** Subscribes to the person's own stream (user.onEvent) and records everything it yields. */
export function recordUser(client: HubbubClient, lastEventId?: string): EventRecorder<Received> {
  return recordEvents<Received>((handlers) =>
    client.api.user.onEvent.subscribe(
      { lastEventId },
      { onData: (event) => handlers.onData(event as unknown as Received), onError: handlers.onError },
    ),
  );
}

/** #general, as the client's channel list has it (every server starts with it). */
export async function generalChannel(client: HubbubClient) {
  const channels = await client.api.channel.list.query();
  const channel = channels.items.find((c) => c.slug === 'general');
  if (!channel) throw new Error('no #general');
  return channel;
}
