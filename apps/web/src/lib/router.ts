import { useSyncExternalStore } from 'react';

/** The app's few screens live in the URL hash, so reload and back/forward just work. */
export type Route =
  /** `messageId`: a permalink (`#/c/<slug>/m/<id>`): the channel opened at that message. */
  { name: 'channel'; slug: string | null; messageId?: string } | { name: 'tasks' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'tasks') return { name: 'tasks' };
  const match = path.match(/^c\/([^/]+)(?:\/m\/([^/]+))?$/);
  const slug = match?.[1] ? decodeURIComponent(match[1]) : null;
  return match?.[2] ? { name: 'channel', slug, messageId: decodeURIComponent(match[2]) } : { name: 'channel', slug };
}

export function channelHref(slug: string): string {
  return `#/c/${encodeURIComponent(slug)}`;
}

/** A message's permalink inside the app. */
export function messageHref(slug: string, messageId: string): string {
  return `${channelHref(slug)}/m/${encodeURIComponent(messageId)}`;
}

export const TASKS_HREF = '#/tasks';

export function navigate(href: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  // pushState does not fire hashchange; tell listeners ourselves.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

function subscribe(listener: () => void) {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
