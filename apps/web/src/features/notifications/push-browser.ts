import type { SubscribePushInput } from '@hubbub/core';

/*
 * This browser's side of Web Push: the service worker (public/sw.js, scope
 * "/") and the PushManager subscription it holds. Nothing here talks to the
 * server; use-push.ts does.
 */

export const SERVICE_WORKER_URL = '/sw.js';

/** Service workers, the Push API and notifications: a secure page (https, or localhost) in a browser that has them. */
export function pushSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window
  );
}

/** Registers the service worker (idempotent) and resolves once it is active. */
export async function serviceWorkerReady(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/' });
  return navigator.serviceWorker.ready;
}

/** The VAPID key as PushManager wants it (bytes), from the server's base64url. */
export function vapidKeyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Was this subscription made for this server key? (a server with new keys needs a new subscription) */
function madeFor(subscription: PushSubscription, key: Uint8Array): boolean {
  const own = subscription.options?.applicationServerKey;
  if (!own) return true;
  const bytes = new Uint8Array(own);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

/** This browser's subscription for the server's key, made now if there is none (asks nothing: permission comes first). */
export async function subscribeThisBrowser(vapidPublicKey: string): Promise<PushSubscription> {
  const registration = await serviceWorkerReady();
  const key = vapidKeyBytes(vapidPublicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing && madeFor(existing, key)) return existing;
  await existing?.unsubscribe();
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** The subscription this browser holds, if any (without registering anything). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/** What subscribePush takes: the endpoint and the two keys of PushSubscription.toJSON(). */
export function subscriptionInput(subscription: PushSubscription): SubscribePushInput {
  const json = subscription.toJSON();
  const { p256dh, auth } = json.keys ?? {};
  if (!json.endpoint || !p256dh || !auth) throw new Error('the browser gave a push subscription without keys');
  return { endpoint: json.endpoint, keys: { p256dh, auth } };
}

/** The service worker asks an open tab to show a channel (a notification was clicked): call `go` with its URL. */
export function onOpenRequest(go: (url: URL) => void): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  const listener = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; url?: unknown } | null;
    if (data?.type !== 'hubbub:open' || typeof data.url !== 'string') return;
    const url = new URL(data.url, window.location.origin);
    if (url.origin === window.location.origin) go(url);
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}
