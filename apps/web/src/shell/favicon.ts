import { useEffect } from 'react';

/** The app's mark: a speech bubble on the accent colour (the same as index.html's). */
const MARK =
  "<rect width='32' height='32' rx='8' fill='#5b5bd6'/>" +
  "<path d='M9 10h14a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2h-8l-5 4v-4H9a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2z' fill='white'/>";

/** The favicon as a data URL, with a red count in its corner when there is something unread. */
export function faviconUrl(unread: number): string {
  const label = unread > 9 ? '9+' : String(unread);
  const badge =
    unread > 0
      ? "<circle cx='24' cy='8' r='8' fill='#e5484d'/>" +
        `<text x='24' y='12' font-size='${label.length > 1 ? 9 : 12}' font-family='sans-serif' font-weight='700' ` +
        `text-anchor='middle' fill='white'>${label}</text>`
      : '';
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'>${MARK}${badge}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Keeps the tab's icon showing the unread count (seen from other tabs and the taskbar). */
export function useFaviconCount(unread: number): void {
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    if (link) link.href = faviconUrl(unread);
  }, [unread]);
}
