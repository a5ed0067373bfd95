import type { HubbubClient } from '@hubbub/client';

export interface Received {
  id: string;
  data: { type: string; [key: string]: unknown };
}

export interface StreamRecorder {
  events: Received[];
  /** Stored (offset-bearing) events only, i.e. no presence/typing/delta. */
  changes(): Received[];
  /** Resolves once `predicate` holds for the events so far (or rejects after `timeoutMs`). */
  until(predicate: (events: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  errors: unknown[];
  stop(): void;
}

const EPHEMERAL = new Set(['presence', 'typing', 'message.delta']);

/** Subscribes to channel.onEvent and records everything it yields. */
export function recordChannel(client: HubbubClient, channelId: string, lastEventId?: string): StreamRecorder {
  const events: Received[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const sub = client.api.channel.onEvent.subscribe(
    { channelId, lastEventId },
    {
      onData: (event) => {
        events.push(event as unknown as Received);
        for (const wake of waiters) wake();
      },
      onError: (error) => {
        errors.push(error);
        for (const wake of waiters) wake();
      },
    },
  );
  return {
    events,
    errors,
    changes: () => events.filter((e) => !EPHEMERAL.has(e.data.type)),
    until(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(events)) {
            cleanup();
            resolve(events);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`timed out; got ${JSON.stringify(events.map((e) => e.data.type))} errors ${errors.join(',')}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => sub.unsubscribe(),
  };
}
