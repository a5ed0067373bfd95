import { randomBytes } from 'node:crypto';
import type { Bus, BusEvent } from '@hubbub/core';
import { Redis, type RedisOptions } from 'ioredis';
import { OffsetOrder } from './offset-order';

/** Which part of the bus an error reported to `onError` came from. */
export type RedisBusErrorSource = 'publisher' | 'subscriber' | 'handler' | 'message';

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Namespace of the Redis channels: topic `t` is channel `${prefix}:topic:${t}`. */
  prefix: string;
  /**
   * Connection errors (reported again on every failed reconnect attempt), handler
   * exceptions and undecodable messages. Nothing is logged without it: the
   * composition root passes its logger. Never receives a payload.
   */
  onError?: (error: unknown, source: RedisBusErrorSource) => void;
  /** How long `publish`/`ping` wait for Redis, including for the first connection. Default 5 s. */
  commandTimeoutMs?: number;
  /** Delay before reconnect attempt `attempt` (1-based). Default: full jitter, 50 ms doubling, capped at 2 s. */
  reconnectDelayMs?: (attempt: number) => number;
  /**
   * How long a stored event that arrives ahead of its stream's next offset waits for the missing ones
   * (another instance's publish, crossing on the way), so local subscribers get them in order instead of each
   * reading the store for the gap. Default 200 ms; 0 hands every event on as it comes.
   */
  reorderWindowMs?: number;
}

/**
 * The Redis bus. Beyond the Bus port:
 *
 * - `onReconnect(listener)`: called after the subscriber connection came back
 *   from a loss (Redis restart, network cut, killed client) AND every topic
 *   that has local handlers is subscribed again. Events published while the
 *   connection was down are gone for this process: a listener must treat every
 *   topic as possibly having a gap and backfill it from the store (its live
 *   subscription is already back, so subscribe-before-backfill holds). Returns
 *   the function that removes the listener.
 * - `ping()`: resolves when both connections answer; for readiness probes.
 * - `connectionNames`: the names of its two connections in `CLIENT LIST`.
 */
export interface RedisBus extends Bus {
  readonly kind: 'redis';
  onReconnect(listener: () => void): () => void;
  ping(): Promise<void>;
  readonly connectionNames: { readonly publisher: string; readonly subscriber: string };
}

interface Topic {
  handlers: Set<(event: BusEvent) => void>;
  /** Hands the topic's events to its handlers in offset order. */
  order: OffsetOrder;
  /** The SUBSCRIBE of this topic's first handler; later handlers wait for it too. */
  subscribed: Promise<void>;
}

const fullJitter = (attempt: number) => Math.floor(Math.random() * Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)));

/**
 * A bus over Redis pub/sub, for several server instances. One connection
 * publishes, one subscribes (a RESP2 subscriber connection can do nothing
 * else, and a publish must not wait behind a slow subscriber's traffic).
 *
 * Each topic is SUBSCRIBEd once per process however many local handlers it
 * has, and UNSUBSCRIBEd when the last one leaves. Events are delivered in the
 * order Redis delivers them, except that a stored event ahead of its stream's
 * next offset waits (briefly) for the ones before it (see OffsetOrder). Each
 * message is decoded once per process and the one object is handed to every
 * local handler (the WebSocket adapter serializes its frame once per object).
 * Redis pub/sub is at-most-once, so subscribers rely on the events' offsets
 * (dedupe, gap detection) and on `onReconnect`.
 */
export function createRedisBus(options: RedisBusOptions): RedisBus {
  const { prefix } = options;
  const onError = options.onError ?? (() => {});
  const commandTimeoutMs = options.commandTimeoutMs ?? 5_000;
  const reorderWindowMs = options.reorderWindowMs ?? 200;
  const channelOf = (topic: string) => `${prefix}:topic:${topic}`;
  const instance = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const connectionNames = {
    publisher: `${prefix}:bus-pub:${instance}`,
    subscriber: `${prefix}:bus-sub:${instance}`,
  };

  const base: RedisOptions = {
    retryStrategy: options.reconnectDelayMs ?? fullJitter,
    // The bus keeps its own list of topics and resubscribes from it (see 'ready' below).
    autoResubscribe: false,
  };
  const publisher = new Redis(options.url, {
    ...base,
    connectionName: connectionNames.publisher,
    // No queue while Redis is away: a publish fails at once, and the caller knows. (One written
    // into a socket that is dying unnoticed is resent after the reconnect, within commandTimeout.)
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
  });
  // The subscriber keeps ioredis' offline queue: it only ever holds (UN)SUBSCRIBEs,
  // and ioredis flushes it with an error every `maxRetriesPerRequest` (20) failed attempts.
  const subscriber = new Redis(options.url, { ...base, connectionName: connectionNames.subscriber });

  const topics = new Map<string, Topic>();
  const reconnectListeners = new Set<() => void>();
  let closed = false;

  // Without an 'error' listener ioredis prints every failed attempt to the console.
  publisher.on('error', (error) => onError(error, 'publisher'));
  subscriber.on('error', (error) => onError(error, 'subscriber'));

  const everReady = new WeakSet<Redis>();
  publisher.once('ready', () => everReady.add(publisher));

  // A publish that failed left its event in the store but not on the wire. Once the
  // publisher is back, tell every instance's streams of those topics to re-read the store.
  const unpublished = new Set<string>();
  publisher.on('ready', () => {
    for (const topic of unpublished) {
      unpublished.delete(topic);
      publisher.publish(channelOf(topic), JSON.stringify({ kind: 'resync' })).catch(() => unpublished.add(topic));
    }
  });

  // Redis delivers in publish order on one connection; so does this, synchronously.
  subscriber.on('message', (channel: string, message: string) => {
    const topic = topics.get(channel);
    if (!topic) return; // Unsubscribed locally, UNSUBSCRIBE still on its way.
    let event: BusEvent;
    try {
      event = JSON.parse(message) as BusEvent;
    } catch (error) {
      onError(error, 'message');
      return;
    }
    topic.order.push(event);
  });

  function deliverTo(handlers: Set<(event: BusEvent) => void>, event: BusEvent): void {
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (error) {
        // ioredis rethrows listener exceptions on the next tick, which would end the process.
        onError(error, 'handler');
      }
    }
  }

  // Every 'ready' after the first follows a lost connection: Redis forgot our
  // subscriptions and dropped whatever was published meanwhile.
  let generation = 0;
  subscriber.on('ready', () => {
    if (!everReady.has(subscriber)) {
      everReady.add(subscriber);
      return;
    }
    const current = ++generation;
    // What was published meanwhile is gone: no held event waits for it any longer.
    for (const topic of topics.values()) topic.order.forget();
    const channels = [...topics.keys()];
    // Sent before anything ioredis replays from before the loss, so a replayed
    // (UN)SUBSCRIBE still has the last word for its channel, as it had locally.
    const resubscribed = channels.length > 0 ? subscriber.subscribe(...channels) : Promise.resolve();
    resubscribed.then(
      () => {
        if (closed || current !== generation) return; // A newer reconnect will notify.
        for (const listener of reconnectListeners) {
          try {
            listener();
          } catch (error) {
            onError(error, 'handler');
          }
        }
      },
      (error) => {
        if (current === generation) onError(error, 'subscriber');
      },
    );
  });

  /** Resolves when `connection` can take a command: at once, or after its first connect (bounded). */
  function usable(connection: Redis, what: string): Promise<void> {
    if (closed) return Promise.reject(new Error(`Redis bus: cannot ${what}: the bus is closed`));
    if (connection.status === 'ready') return Promise.resolve();
    const starting = !everReady.has(connection) && ['wait', 'connecting', 'connect'].includes(connection.status);
    if (!starting) {
      return Promise.reject(new Error(`Redis bus: cannot ${what}: Redis is not connected (${connection.status})`));
    }
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        connection.off('ready', onReady);
        connection.off('end', onEnd);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onEnd = () => done(new Error(`Redis bus: cannot ${what}: the connection was closed`));
      const timer = setTimeout(
        () => done(new Error(`Redis bus: cannot ${what}: no connection to Redis after ${commandTimeoutMs} ms`)),
        commandTimeoutMs,
      );
      connection.on('ready', onReady);
      connection.on('end', onEnd);
    });
  }

  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

  return {
    kind: 'redis',
    connectionNames,

    async publish(topic, event) {
      const payload = JSON.stringify(event); // Once per publish, whatever the number of subscribers.
      const stored = event.kind === 'change' || event.kind === 'task';
      await usable(publisher, `publish to "${topic}"`).catch((error: unknown) => {
        if (stored) unpublished.add(topic);
        throw error;
      });
      try {
        await publisher.publish(channelOf(topic), payload);
      } catch (error) {
        if (stored) unpublished.add(topic);
        throw new Error(`Redis bus: cannot publish to "${topic}": ${reason(error)}`, { cause: error });
      }
    },

    async subscribe(topicName, onEvent) {
      if (closed) throw new Error(`Redis bus: cannot subscribe to "${topicName}": the bus is closed`);
      const channel = channelOf(topicName);
      let topic = topics.get(channel);
      if (!topic) {
        const handlers = new Set<(event: BusEvent) => void>();
        topic = {
          handlers,
          order: new OffsetOrder((event) => deliverTo(handlers, event), reorderWindowMs),
          subscribed: subscriber.subscribe(channel).then(() => {}),
        };
        topics.set(channel, topic);
      }
      const entry = topic;
      // A distinct wrapper per call, so the same function subscribed twice is two handlers.
      const handler = (event: BusEvent) => onEvent(event);
      entry.handlers.add(handler);

      let subscribed = true;
      const leave = async () => {
        if (!subscribed) return;
        subscribed = false;
        entry.handlers.delete(handler);
        if (entry.handlers.size > 0 || topics.get(channel) !== entry) return;
        topics.delete(channel);
        entry.order.close();
        if (closed) return;
        const unsubscribed = subscriber.unsubscribe(channel).then(
          () => {},
          (error) => onError(error, 'subscriber'),
        );
        // While disconnected the UNSUBSCRIBE waits in the queue; the resubscribe skips this topic anyway.
        if (subscriber.status === 'ready') await unsubscribed;
      };

      try {
        await entry.subscribed;
      } catch (error) {
        await leave();
        throw new Error(`Redis bus: cannot subscribe to "${topicName}": ${reason(error)}`, { cause: error });
      }
      return leave;
    },

    onReconnect(listener) {
      const own = () => listener();
      reconnectListeners.add(own);
      return () => {
        reconnectListeners.delete(own);
      };
    },

    async ping() {
      await usable(publisher, 'ping');
      await usable(subscriber, 'ping');
      try {
        await publisher.ping();
      } catch (error) {
        throw new Error(`Redis bus: ping failed: ${reason(error)}`, { cause: error });
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const topic of topics.values()) topic.order.close();
      topics.clear();
      reconnectListeners.clear();
      subscriber.removeAllListeners('message');
      await Promise.all([quit(publisher), quit(subscriber)]);
    },
  };
}

/** QUIT when connected (bounded by a timeout), otherwise just stop reconnecting. */
async function quit(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2_000);
  });
  await Promise.race([connection.quit().catch(() => {}), timeout]);
  clearTimeout(timer);
  // `status` changed while awaiting; TypeScript still holds it at 'ready'.
  if ((connection.status as string) !== 'end') connection.disconnect();
}
