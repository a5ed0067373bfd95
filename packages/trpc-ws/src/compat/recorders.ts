import { EventEmitter, on } from 'node:events';
import { TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Values the test pushes into server-side subscriptions. Each generator
 * reads its own `values(signal)`; the signal ends it when the adapter aborts
 * the subscription (a generator stuck in an await is only reachable that way).
 * Wait for `subscribers()` before pushing: a value pushed to nobody is lost.
 */
export function createFeed<T>() {
  // Cases open a hundred subscriptions on one feed: no leak warning for them.
  const emitter = new EventEmitter().setMaxListeners(0);
  return {
    push(value: T) {
      emitter.emit('value', value);
    },
    fail(error: unknown) {
      emitter.emit('error', error);
    },
    subscribers: () => emitter.listenerCount('value'),
    async *values(signal: AbortSignal | undefined): AsyncGenerator<T> {
      for await (const [value] of on(emitter, 'value', { signal })) yield value as T;
    },
  };
}

/**
 * An append-only log of event ids: a subscription replays the ids after its
 * lastEventId, then follows new ones. A resumed subscription misses nothing,
 * however many times its client reconnects on the way.
 */
export function createLog() {
  const emitter = new EventEmitter();
  const ids: string[] = [];
  return {
    append(id: string) {
      ids.push(id);
      emitter.emit('append', id);
    },
    subscribers: () => emitter.listenerCount('append'),
    async *after(lastEventId: string | null | undefined, signal: AbortSignal | undefined): AsyncGenerator<string> {
      // Listening before the replay, so an id appended in between is not lost.
      const appended = on(emitter, 'append', { signal });
      try {
        const replay = ids.slice(lastEventId == null ? 0 : ids.indexOf(lastEventId) + 1);
        yield* replay;
        for await (const [id] of appended) if (!replay.includes(id)) yield id as string;
      } finally {
        await appended.return?.();
      }
    },
  };
}

export type SubscriptionEvent =
  | { kind: 'started' }
  | { kind: 'data'; data: unknown }
  | { kind: 'error'; error: TRPCClientError<AnyTRPCRouter> }
  | { kind: 'stopped' }
  | { kind: 'complete' };

export type SubscriptionHandlers = ReturnType<typeof recordSubscription>['handlers'];

/** Everything one client subscription saw, in order: pass `handlers` to `.subscribe`. */
export function recordSubscription() {
  const events: SubscriptionEvent[] = [];
  const of = <K extends SubscriptionEvent['kind']>(kind: K) =>
    events.filter((e): e is Extract<SubscriptionEvent, { kind: K }> => e.kind === kind);
  return {
    events,
    handlers: {
      onStarted: () => void events.push({ kind: 'started' }),
      onData: (data: unknown) => void events.push({ kind: 'data', data }),
      onError: (error: unknown) => void events.push({ kind: 'error', error: error as TRPCClientError<AnyTRPCRouter> }),
      onStopped: () => void events.push({ kind: 'stopped' }),
      onComplete: () => void events.push({ kind: 'complete' }),
    },
    kinds: () => events.map((e) => e.kind),
    data: () => of('data').map((e) => e.data),
    started: () => of('started').length,
    errors: () => of('error').map((e) => e.error),
    /** The first error; throws when there was none. */
    firstError: () => {
      const [first] = of('error');
      if (!first) throw new Error(`no error among ${events.map((e) => e.kind).join(', ') || 'no events'}`);
      return first.error;
    },
  };
}

/** The rejection of `promise`, which must be a TRPCClientError. */
export async function clientError(promise: Promise<unknown>): Promise<TRPCClientError<AnyTRPCRouter>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCClientError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** What a client sees of an error, without the stack: comparable with toEqual. */
export function errorSeen(error: TRPCClientError<AnyTRPCRouter>) {
  const { stack: _stack, ...data } = (error.data ?? {}) as Record<string, unknown>;
  return { message: error.message, code: (error.shape as { code?: number } | undefined)?.code, data };
}
