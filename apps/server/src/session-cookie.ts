import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpExchange } from '@hubbub/api';
import { parse, serialize } from 'cookie';

/** The browser's refresh cookie: `<session id>.<secret>`, never readable by scripts. */
export const SESSION_COOKIE = 'hubbub_session';

/**
 * The cookie side of one HTTP exchange. The cookie is HttpOnly (page scripts
 * cannot read it, so an injected script cannot steal the session),
 * SameSite=Strict (another site's page cannot send it), limited to /trpc,
 * and Secure whenever the page itself came over HTTPS.
 */
export function sessionCookieExchange(req: IncomingMessage, res: ServerResponse, https: boolean): HttpExchange {
  const header = req.headers.cookie;
  return {
    sessionCookie: header ? (parse(header)[SESSION_COOKIE] ?? null) : null,
    setSessionCookie(value, maxAgeMs = 0) {
      res.appendHeader(
        'set-cookie',
        serialize(SESSION_COOKIE, value ?? '', {
          httpOnly: true,
          sameSite: 'strict',
          secure: https,
          path: '/trpc',
          maxAge: value ? Math.floor(maxAgeMs / 1000) : 0,
        }),
      );
    },
  };
}

/** HTTPS as the browser sees it: a TLS socket here, or a trusted proxy's word. */
export function isHttps(req: IncomingMessage, fromTrustedProxy: boolean): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return fromTrustedProxy && req.headers['x-forwarded-proto'] === 'https';
}
