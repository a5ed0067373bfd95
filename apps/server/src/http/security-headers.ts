import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The policy the built web app runs under: its own scripts, styles and
 * connections only (`connect-src 'self'` covers the same-origin ws:/wss: URL in
 * current browsers), no inline script, no framing. Exported for the tests.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  // blob: the app's own object URLs of attachments (fetched with the Authorization header: no cookie reaches /api/files).
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
};

/** An inline <script> without src: its text, exactly as the browser hashes it. */
const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The CSP source expressions ('sha256-…') that allow exactly the inline scripts of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(INLINE_SCRIPT)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
}

/** The policy as a header value, with `scriptSources` (hashes) allowed beside the app's own script files. */
export function contentSecurityPolicyWith(scriptSources: string[]): string {
  return Object.entries(CONTENT_SECURITY_POLICY)
    .map(([name, sources]) => [name, ...sources, ...(name === 'script-src' ? scriptSources : [])].join(' '))
    .join(';');
}

/**
 * Sets helmet's headers on a response: its defaults (nosniff, no-referrer,
 * same-origin opener and resource policies, HSTS, which browsers ignore over
 * plain http) with our CSP, which leaves out upgrade-insecure-requests because
 * Hubbub runs on plain http://localhost, and DENY framing to match frame-ancestors.
 */
export function createSecurityHeaders(): (req: IncomingMessage, res: ServerResponse) => void {
  const apply = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    xFrameOptions: { action: 'deny' },
  });
  const ignore = () => {};
  return (req, res) => apply(req, res, ignore);
}
