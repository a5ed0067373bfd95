import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { contentSecurityPolicyWith, inlineScriptHashes } from './security-headers';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** One satisfiable byte range; anything else (suffix, multi, reversed) is ignored and the whole file sent. */
const SINGLE_RANGE = /^bytes=(\d+)-(\d*)$/;
const NOT_BUILT = 'The web app is not built yet: run `pnpm build` (pnpm start does it for you).\n';

/**
 * Serves the built web app with sirv: files under `root` (a .br or .gz beside a
 * file is sent to clients that accept it), index.html for any other path
 * (client-side routes) but not under /assets, where a missing file is a 404.
 * Hashed /assets are cached for a year; everything else is revalidated (ETag).
 * The file list is read once at start: a rebuild needs a restart. index.html's
 * inline script (the sign-in form's first-page script) is allowed by its hash:
 * the policy on these responses adds it to script-src.
 */
export function createStaticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  if (!existsSync(join(root, 'index.html'))) {
    return (req, res) => {
      if (refuseMethod(req, res)) return;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(NOT_BUILT);
    };
  }
  const hashes = inlineScriptHashes(readFileSync(join(root, 'index.html'), 'utf8'));
  const policy = hashes.length > 0 ? contentSecurityPolicyWith(hashes) : null;
  const serve = sirv(root, {
    single: true,
    etag: true,
    gzip: true,
    brotli: true,
    ignores: ['^/assets/'],
    setHeaders: (res, pathname) =>
      res.setHeader('cache-control', pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache'),
  });
  const notFound = (res: ServerResponse) => () => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  };
  return (req, res) => {
    if (refuseMethod(req, res)) return;
    dropUnservableRange(req);
    if (policy) res.setHeader('content-security-policy', policy);
    serve(req, res, notFound(res));
  };
}

function refuseMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  res.writeHead(405, { allow: 'GET, HEAD' }).end();
  return true;
}

/** sirv reads a Range header naively (a reversed range throws in the file stream): keep only the plain form. */
function dropUnservableRange(req: IncomingMessage): void {
  const range = req.headers.range;
  if (range === undefined) return;
  const match = SINGLE_RANGE.exec(range);
  if (!match || (match[2] && Number(match[2]) < Number(match[1]))) delete req.headers.range;
}
