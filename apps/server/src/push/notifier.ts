import type { Channel, ChatStore, Notice, NotificationStore, Notifier, PushSubscriptionRecord } from '@hubbub/core';
import type { Logger } from '../logger';
import { createBoundedQueue } from './bounded-queue';
import { type EndpointPolicy, endpointProblem } from './endpoint-policy';
import { encodeNotice, messageNotice } from './notice';
import type { PushSender } from './push-sender';

export interface PushNotifierOptions {
  store: NotificationStore;
  /** Where a message's channel is read when the caller did not pass it. */
  channels: Pick<ChatStore, 'channelById'>;
  sender: PushSender;
  vapidPublicKey: string;
  policy: EndpointPolicy;
  logger: Logger;
  /** Pushes in flight at once (default 8). */
  concurrency?: number;
  /**
   * Pushes waiting their turn, and lookups of whom to notify not yet answered, before new ones are dropped
   * (default 10,000 each).
   */
  maxQueued?: number;
}

export interface PushNotifier extends Notifier {
  /** Resolves once every push asked for so far has been sent or given up (tests, shutdown). */
  idle(): Promise<void>;
  /** Drops the pushes still waiting, waits for those in flight, then closes the sockets. */
  close(): Promise<void>;
}

/** Channel kinds remembered (a few bytes each). */
const KINDS_KEPT = 10_000;

/** The same failure (a push service down) is logged once a minute, not once per push. */
const LOG_EVERY_MS = 60_000;

/**
 * Web Push for Hubbub: who hears about what comes from the store
 * (NotificationStore.recipients), the sending from push-sender.ts. Fire and
 * forget: callers never wait and never see an error; failures are logged
 * (never an endpoint or a key: they are capabilities), and a subscription the
 * push service calls gone (404, 410) is forgotten.
 */
export function createPushNotifier(options: PushNotifierOptions): PushNotifier {
  const { store, sender, logger, policy } = options;
  const lastLogged = new Map<string, number>();
  const warn = (reason: string, service: string | null, err?: unknown) => {
    const key = `${service}\n${reason}`;
    const now = Date.now();
    if (now - (lastLogged.get(key) ?? 0) < LOG_EVERY_MS) return;
    if (lastLogged.size > 100) lastLogged.clear();
    lastLogged.set(key, now);
    logger.warn({ service, err: err instanceof Error ? err.message : err }, `push: ${reason}`);
  };
  const queue = createBoundedQueue({
    concurrency: options.concurrency ?? 8,
    maxQueued: options.maxQueued ?? 10_000,
    onDrop: () => warn('too many notifications waiting: dropped one', null),
  });

  const deliver = (subscription: PushSubscriptionRecord, payload: string) =>
    queue.push(async () => {
      const service = serviceOf(subscription.endpoint);
      try {
        const outcome = await sender.send(subscription, payload);
        if (outcome.kind === 'gone') await store.forgetSubscription(subscription.endpoint);
        else if (outcome.kind === 'failed') warn(outcome.reason, service);
      } catch (err) {
        warn('sending failed', service, err);
      }
    });

  /** Channels' kinds (a channel or a direct conversation never changes kind), the oldest forgotten first. */
  const kinds = new Map<string, Channel['kind']>();
  const channelOf = async (channelId: string) => {
    const channel = await options.channels.channelById(channelId);
    if (channel) {
      if (kinds.size >= KINDS_KEPT) kinds.delete(kinds.keys().next().value as string);
      kinds.set(channelId, channel.kind);
    }
    return channel;
  };

  /**
   * Lookups of whom to notify run at once (the stores gather them into few statements; only sending waits for
   * a turn in `queue`): at most `maxQueued` unanswered, past that one is dropped, as a push is.
   */
  const lookups = createBoundedQueue({
    concurrency: options.maxQueued ?? 10_000,
    maxQueued: 0,
    onDrop: () => warn('too many notifications waiting: dropped one', null),
  });

  /** Runs `find`, then a delivery per subscription it names. */
  const fanOut = (what: string, find: () => Promise<{ subscriptions: PushSubscriptionRecord[]; payload: string }[]>) =>
    lookups.push(async () => {
      try {
        for (const { subscriptions, payload } of await find()) {
          for (const subscription of subscriptions) deliver(subscription, payload);
        }
      } catch (err) {
        warn(`could not find whom to notify (${what})`, null, err);
      }
    });

  return {
    vapidPublicKey: options.vapidPublicKey,
    endpointProblem: (endpoint) => endpointProblem(endpoint, policy),
    notify(userId: string, notice: Notice) {
      const payload = encodeNotice(notice);
      fanOut('notify', async () => [{ subscriptions: await store.subscriptionsOf(userId), payload }]);
    },
    messagePosted({ channel: given, message, mentionedUserIds }) {
      fanOut('message', async () => {
        // Most messages notify nobody: who would hear of it is asked first, the channel read only for them.
        const kind = given?.kind ?? kinds.get(message.channelId) ?? (await channelOf(message.channelId))?.kind;
        if (!kind) return [];
        const recipients = await store.recipients({
          channelId: message.channelId,
          authorId: message.authorId,
          mentionedUserIds,
          isDirect: kind === 'dm',
        });
        if (recipients.length === 0) return [];
        // Read now, not kept: its name (the notice's title) may have changed.
        const channel = given ?? (await channelOf(message.channelId));
        if (!channel) return [];
        const payload = encodeNotice(messageNotice(channel, message));
        return recipients.map((r) => ({ subscriptions: r.subscriptions, payload }));
      });
    },
    async idle() {
      // A lookup's deliveries join the queue before it ends.
      await lookups.idle();
      await queue.idle();
    },
    async close() {
      await lookups.close();
      await queue.close();
      sender.close();
    },
  };
}

/** The push service's host (fcm.googleapis.com): fine in a log, unlike the endpoint's path. */
function serviceOf(endpoint: string): string | null {
  try {
    return new URL(endpoint).host;
  } catch {
    return null;
  }
}
