import { z } from 'zod';
import type { Channel, Message } from './types';

/*
 * Notifications: Web Push subscriptions, what a person wants to hear about,
 * and who hears about a posted message. The rules:
 * - the level is per person: `all` (every message in their channels),
 *   `mentions` (the default: mentions of them and direct conversations),
 *   `nothing`;
 * - a muted channel (or direct conversation) notifies nothing, mentions
 *   included: muting is an explicit "be quiet", and mentions still show as
 *   unread there;
 * - the author never hears about their own message, and only members of the
 *   channel are notified (a mention of an outsider notifies no one).
 */

export const NOTIFICATION_LEVELS = ['all', 'mentions', 'nothing'] as const;
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];
export const DEFAULT_NOTIFICATION_LEVEL: NotificationLevel = 'mentions';

export const PUSH_LIMITS = {
  /** A push service URL (FCM's are ~180 characters, Mozilla's and Apple's ~250). */
  endpoint: 1024,
  /** base64url of a 65-byte uncompressed P-256 point is 87 characters (padding tolerated). */
  p256dh: 100,
  /** base64url of the 16-byte auth secret is 22 characters. */
  auth: 32,
  /** Browsers one person keeps subscribed; a new one beyond it replaces their oldest. */
  subscriptionsPerUser: 10,
} as const;

/** An uncompressed P-256 point (65 bytes, the first 0x04) in base64url: 87 characters starting with B. */
const P256_POINT = /^B[A-Za-z0-9_-]{86}=?$/;
/** 16 bytes in base64url. */
const AUTH_SECRET = /^[A-Za-z0-9_-]{22}(==)?$/;

export const ZNotificationLevel = z.enum(NOTIFICATION_LEVELS);
export const ZSubscribePushInput = z.object({
  endpoint: z.string().min(1).max(PUSH_LIMITS.endpoint),
  keys: z.object({
    p256dh: z.string().max(PUSH_LIMITS.p256dh).regex(P256_POINT, 'p256dh must be a base64url P-256 public key'),
    auth: z.string().max(PUSH_LIMITS.auth).regex(AUTH_SECRET, 'auth must be a base64url 16-byte secret'),
  }),
});
export const ZUnsubscribePushInput = z.object({ endpoint: z.string().min(1).max(PUSH_LIMITS.endpoint) });
export const ZSetNotificationLevelInput = z.object({ level: ZNotificationLevel });
export type SubscribePushInput = z.infer<typeof ZSubscribePushInput>;

/** One browser's push subscription: its push service endpoint (a capability: never log it) and its keys. */
export interface PushSubscriptionRecord {
  endpoint: string;
  userId: string;
  p256dh: string;
  auth: string;
  createdAt: string;
}

export interface NotificationSettings {
  level: NotificationLevel;
  mutedChannelIds: string[];
}

/** The server's VAPID key pair (base64url, as web-push makes them): one per database, so a cluster signs alike. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** A message just posted, as the recipients query needs it. */
export interface PostedMessageQuery {
  channelId: string;
  /** Null for the assistant and system messages: no one is left out as the author. */
  authorId: string | null;
  mentionedUserIds: readonly string[];
  /** A direct conversation: at level `mentions`, every message in it counts. */
  isDirect: boolean;
}

export interface PushRecipient {
  userId: string;
  subscriptions: PushSubscriptionRecord[];
}

export interface NotificationStore {
  /**
   * Stores a browser's subscription for `userId` (the endpoint moves to them if someone else had it: the
   * browser now belongs to whoever subscribed last), keeping at most `keepPerUser` per person: the oldest go.
   */
  saveSubscription(input: Omit<PushSubscriptionRecord, 'createdAt'>, options: { keepPerUser: number }): Promise<void>;
  /** Removes `endpoint` if it is `userId`'s; false when it is not (someone else's stays). */
  removeSubscription(endpoint: string, userId: string): Promise<boolean>;
  /** The push service answered that the subscription is gone (404, 410): forget it, whoever owned it. */
  forgetSubscription(endpoint: string): Promise<void>;
  subscriptionsOf(userId: string): Promise<PushSubscriptionRecord[]>;
  /** The level (default `mentions`) and the muted channels. */
  settings(userId: string): Promise<NotificationSettings>;
  setLevel(userId: string, level: NotificationLevel): Promise<void>;
  mute(userId: string, channelId: string): Promise<void>;
  unmute(userId: string, channelId: string): Promise<void>;
  /**
   * The VAPID keys kept in the database, made with `generate` the first time. Atomic: instances starting at
   * once all end with the pair that was stored first.
   */
  vapidKeys(generate: () => VapidKeys): Promise<VapidKeys>;
  /** Who gets a push for a posted message (the rules above), with their subscriptions. */
  recipients(query: PostedMessageQuery): Promise<PushRecipient[]>;
}

/** What a notification says; the service worker shows it and opens `url` on click. */
export interface Notice {
  title: string;
  body: string;
  /** Where a click leads, an app route like `/#/c/general`. */
  url: string;
  /** Notices with one tag replace each other on the device (one per channel). */
  tag: string;
}

/** Sends Web Push notifications; fire and forget: nothing here throws into the caller or makes it wait. */
export interface Notifier {
  /** The VAPID public key browsers subscribe with (base64url); null when push is off on this server. */
  readonly vapidPublicKey: string | null;
  /** Why the server will not send to `endpoint` (not https, a private address…), or null when it will. */
  endpointProblem(endpoint: string): string | null;
  notify(userId: string, notice: Notice): void;
  /**
   * Notifies the people a new message concerns (NotificationStore.recipients). Without `channel`, the
   * notifier reads it itself, off the caller's path.
   */
  messagePosted(input: { channel?: Channel; message: Message; mentionedUserIds: readonly string[] }): void;
}

/** A host without Web Push (the in-memory test app): nothing to subscribe to, nothing sent. */
export const pushOff: Notifier = {
  vapidPublicKey: null,
  endpointProblem: () => 'push notifications are off on this server',
  notify() {},
  messagePosted() {},
};
