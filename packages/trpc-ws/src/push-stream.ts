/**
 * The extension point for subscriptions that push. A subscription procedure
 * may return any async iterable or observable (pulled like the stock adapter
 * does), or an object implementing `PushStream`: the adapter then hands it a
 * sink and the stream calls it synchronously per event. That is what lets a
 * fan-out write one pre-serialized frame per subscriber: `shared` names the
 * object the event came from (the same for every subscriber of it), the
 * frame's tail is serialized once per shared object and event id, and
 * subscribers with the same subscription id share the complete frame. `send`
 * returns the connection's unsent bytes, so a stream can tell a subscriber
 * that fell behind. The adapter ends a push stream with `stop()` alone: the
 * procedure's `signal` is let go, never aborted (a push stream must not
 * clean up on it). A push stream class that extends `PushSubscription`
 * (push-subscription.ts) is its own subscription and sink: one object per
 * subscriber on the live path instead of two.
 */
export const PUSH_STREAM: unique symbol = Symbol.for('@hubbub/trpc-ws/push-stream');

export type PushEnd = { kind: 'done' } | { kind: 'slow' } | { kind: 'error'; error: unknown };

export interface PushSink {
  /** One tracked event (`id` is its tracked id); returns the connection's unsent bytes after it. */
  send(id: string, data: unknown, shared: object | null): number;
  /** The stream ended: done (`stopped`), slow (the connection is cut off to resume later), or failed. */
  end(reason: PushEnd): void;
}

export interface PushStream {
  /** Starts delivering to `sink`. */
  [PUSH_STREAM](sink: PushSink): void | Promise<void>;
  /** The subscriber went away: stop quietly. */
  stop(): void;
}

export function isPushStream(value: unknown): value is PushStream {
  return typeof value === 'object' && value !== null && PUSH_STREAM in value;
}
