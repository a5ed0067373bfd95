import type { NotificationStore, VapidKeys } from '@hubbub/core';
import webpush from 'web-push';

export interface VapidSettings {
  /** HUBBUB_VAPID_PUBLIC_KEY / HUBBUB_VAPID_PRIVATE_KEY; unset: a pair made on first start and kept in the database. */
  vapidKeys?: VapidKeys;
  /** HUBBUB_VAPID_SUBJECT: how a push service may reach the operator (mailto: or https:). */
  subject?: string;
}

/** Push services want a contact; Apple's refuses `localhost`, so set HUBBUB_VAPID_SUBJECT for Safari. */
export const DEFAULT_VAPID_SUBJECT = 'mailto:hubbub@localhost';

/**
 * The key pair the server signs pushes with. A browser's subscription is
 * bound to the public key it subscribed with, so the pair must outlive
 * restarts and be the same on every instance: it lives in the database (the
 * SQLite file in the data dir, or the cluster's PostgreSQL) unless given.
 */
export async function resolveVapidKeys(
  store: NotificationStore,
  settings: VapidSettings,
): Promise<VapidKeys & { subject: string }> {
  const keys = settings.vapidKeys ?? (await store.vapidKeys(() => webpush.generateVAPIDKeys()));
  return { ...keys, subject: settings.subject ?? DEFAULT_VAPID_SUBJECT };
}
