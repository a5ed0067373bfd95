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
