import type { IncomingMessage } from 'node:http';

/**
 * Browsers send Origin on a WebSocket upgrade; a page from another site must
 * not ride a user's session. Same-origin is always allowed, listed origins
 * too ("*" allows any); clients that send no Origin (scripts, agents) are not browsers.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
