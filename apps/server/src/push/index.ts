import type { StoreSet } from '@hubbub/core';
import type { Logger } from '../logger';
import { createPushNotifier, type PushNotifier } from './notifier';
import { createPushSender } from './push-sender';
import { resolveVapidKeys, type VapidSettings } from './vapid';

export type { PushNotifier } from './notifier';

export interface PushSettings extends VapidSettings {
  /** Tests only: allow push endpoints on 127.0.0.1 / ::1 over plain http (a local push service stand-in). */
  allowLoopbackEndpoints?: boolean;
  /** The whole push request, connect to answer (default 10 s, push-sender.ts). */
  timeoutMs?: number;
}

/** The server's Web Push: its VAPID keys (settings, else kept in the database), a sender, a notifier. */
export async function createPush(
  stores: Pick<StoreSet, 'notifications' | 'chat'>,
  settings: PushSettings,
  logger: Logger,
): Promise<PushNotifier> {
  const vapid = await resolveVapidKeys(stores.notifications, settings);
  const policy = { allowLoopback: settings.allowLoopbackEndpoints ?? false };
  return createPushNotifier({
    store: stores.notifications,
    channels: stores.chat,
    sender: createPushSender({ vapid, policy, timeoutMs: settings.timeoutMs }),
    vapidPublicKey: vapid.publicKey,
    policy,
    logger,
  });
}
