/*
 * Hubbub's service worker: shows the Web Push notifications the server sends
 * (an encrypted JSON `{ title, body, url, tag }`, decrypted by the browser)
 * and, on a click, brings Hubbub forward on the notification's channel. It is
 * plain JavaScript served from the web root (public/ in the build), so its
 * scope is the whole app; the server sends it with `cache-control: no-cache`.
 */

/** Chrome requires every push to show something: this is shown when a payload cannot be read. */
const FALLBACK = { title: 'Hubbub', body: 'Something new is waiting for you.', url: '/', tag: 'hubbub' };

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  const notice = readNotice(event.data);
  event.waitUntil(
    self.registration.showNotification(notice.title, {
      body: notice.body,
      tag: notice.tag,
      // A newer message in the same channel replaces the older notification, and still alerts.
      renotify: true,
      data: { url: notice.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openApp(sameOriginUrl(event.notification.data?.url)));
});

/** The push's notice, every field a bounded string; the fallback when it is not one. */
function readNotice(data) {
  let parsed = null;
  try {
    parsed = data ? data.json() : null;
  } catch {
    parsed = null;
  }
  if (!parsed || typeof parsed !== 'object') return FALLBACK;
  const text = (value, fallback, max) => (typeof value === 'string' && value ? value.slice(0, max) : fallback);
  return {
    title: text(parsed.title, FALLBACK.title, 200),
    body: text(parsed.body, '', 500),
    url: text(parsed.url, FALLBACK.url, 512),
    tag: text(parsed.tag, FALLBACK.tag, 128),
  };
}

/** Only this app's own pages: a notification never opens another site. */
function sameOriginUrl(url) {
  if (typeof url !== 'string') return `${self.location.origin}/`;
  try {
    const target = new URL(url, self.location.origin);
    return target.origin === self.location.origin ? target.href : `${self.location.origin}/`;
  } catch {
    return `${self.location.origin}/`;
  }
}

/** Focuses an open Hubbub tab and tells it where to go (no reload); opens one when there is none. */
async function openApp(url) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (!open) return self.clients.openWindow(url);
  open.postMessage({ type: 'hubbub:open', url });
  return open.focus();
}
