import type { Notice, NotificationSettings } from '@hubbub/core';
import { navigate } from '../../lib/router';
import { pushSupported } from './push-browser';

/** The person's settings as last read (use-notification-settings.ts keeps it current); null before the first read. */
let settings: NotificationSettings | null = null;
export function rememberSettings(current: NotificationSettings): void {
  settings = current;
}

/** Whether the person wants to hear of this (any notice: a toast too): not with level `nothing`, not from a muted channel. */
export function noticeWanted(channelId?: string): boolean {
  if (settings?.level === 'nothing') return false;
  return !(channelId && settings?.mutedChannelIds.includes(channelId));
}

/**
 * Shows `notice` as a system notification when this tab is hidden (another
 * tab, minimized) and the person allowed notifications; nothing otherwise.
 * Level `nothing` and a muted `channelId` are respected. Give a channel's
 * notices the tag `channel:<id>`, as Web Push does, so the two replace each
 * other instead of showing twice. Resolves whether it showed one.
 */
export async function notifyIfHidden(notice: Notice, options: { channelId?: string } = {}): Promise<boolean> {
  if (typeof document === 'undefined' || !document.hidden) return false;
  if (!('Notification' in window) || Notification.permission !== 'granted') return false;
  if (!noticeWanted(options.channelId)) return false;
  // Through the service worker where there is one (Android allows no other way); its click handler opens the url.
  const registration = pushSupported() ? await navigator.serviceWorker.getRegistration('/') : undefined;
  if (registration?.active) {
    await registration.showNotification(notice.title, {
      body: notice.body,
      tag: notice.tag,
      data: { url: notice.url },
    });
    return true;
  }
  const shown = new Notification(notice.title, { body: notice.body, tag: notice.tag });
  shown.onclick = () => {
    window.focus();
    const url = new URL(notice.url, window.location.origin);
    if (url.origin === window.location.origin) navigate(url.hash || '#/');
    shown.close();
  };
  return true;
}
