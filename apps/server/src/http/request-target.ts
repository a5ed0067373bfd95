/** What the edge makes of a request's target, before any handler sees it. */
export type RequestTarget =
  | { kind: 'ok'; path: string }
  /** A `%` not followed by two hex digits, or escapes that are not UTF-8 (`%E0%A4%A`, `%C0`). */
  | { kind: 'bad-escape' }
  /** Not a path (`*`, `http://host/…` or garbage): an origin server answers paths only. */
  | { kind: 'not-a-path' };

/**
 * Checks a request target once, at the edge: every handler behind it may
 * decode the path without a try. The path keeps its escapes (routing compares
 * raw paths); the query string is not judged (URLSearchParams is lenient).
 */
export function parseRequestTarget(url: string | undefined): RequestTarget {
  if (!url?.startsWith('/')) return { kind: 'not-a-path' };
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      return { kind: 'bad-escape' };
    }
  }
  return { kind: 'ok', path };
}
