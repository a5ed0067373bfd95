import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { rawHttp, request } from '../security/raw-http';
import { createStaticHandler } from './static-files';

const APP_JS = 'console.log("the app");'.repeat(10);
const INDEX = '<!doctype html><title>Hubbub</title>';

let server: Server | undefined;
let root: string | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
  server = root = undefined;
});

/** The handler on a plain server, over a web dir laid out like Vite's (built = false: no index.html). */
async function serve(built = true): Promise<string> {
  root = mkdtempSync(join(tmpdir(), 'hubbub-static-'));
  if (built) {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'assets', 'app-1234.js'), APP_JS);
    writeFileSync(join(root, 'assets', 'app-1234.js.br'), brotliCompressSync(APP_JS));
    writeFileSync(join(root, 'assets', 'app-1234.js.gz'), gzipSync(APP_JS));
    writeFileSync(join(root, '.env'), 'SECRET=do-not-serve');
  }
  const handler = createStaticHandler(root);
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('the static handler (sirv)', () => {
  it('client routes get index.html, revalidated every time', async () => {
    const url = await serve();
    for (const path of ['/', '/c/general', '/tasks/123']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    }
    const first = await fetch(`${url}/`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await fetch(`${url}/`, { headers: { 'if-none-match': etag ?? '' } })).status).toBe(304);
  });

  it('hashed assets are immutable for a year; a missing asset or file is a 404, not the page', async () => {
    const url = await serve();
    const asset = await fetch(`${url}/assets/app-1234.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(await asset.text()).toBe(APP_JS);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets/`)).status).toBe(404);
    expect((await fetch(`${url}/missing.png`)).status).toBe(404);
  });

  it('serves the .br or .gz beside a file to clients that accept it', async () => {
    const url = await serve();
    // fetch decodes the body itself, so the headers say which file was sent.
    const br = await fetch(`${url}/assets/app-1234.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await br.text()).toBe(APP_JS);
    const gz = await fetch(`${url}/assets/app-1234.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(APP_JS);
  });

  it('ranges: a plain one is a 206; reversed, suffix and multiple ranges get the whole file', async () => {
    const url = await serve();
    const identity = { 'accept-encoding': 'identity' };
    const part = await fetch(`${url}/assets/app-1234.js`, { headers: { ...identity, range: 'bytes=0-6' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('console');
    for (const range of ['bytes=9-2', 'bytes=-5', 'bytes=0-1,4-5', 'bytes=x-y', 'chars=0-1']) {
      const res = await fetch(`${url}/assets/app-1234.js`, { headers: { ...identity, range } });
      expect(res.status, range).toBe(200);
      expect(await res.text()).toBe(APP_JS);
    }
    const beyond = await fetch(`${url}/assets/app-1234.js`, { headers: { ...identity, range: 'bytes=99999-' } });
    expect(beyond.status).toBe(416);
  });

  it('HEAD answers headers only; other methods are a 405', async () => {
    const url = await serve();
    const head = await fetch(`${url}/assets/app-1234.js`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(APP_JS.length));
    expect(await head.text()).toBe('');
    const post = await fetch(`${url}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('never serves a file outside the web dir, nor a dotfile', async () => {
    const url = await serve();
    const port = Number(new URL(url).port);
    for (const target of ['/../package.json', '/..%2f..%2fpackage.json', '/assets/../../etc/passwd', '/.env']) {
      const res = await rawHttp(port, request('GET', target));
      expect([200, 404], target).toContain(res.status);
    }
    expect(await (await fetch(`${url}/.env`)).text()).not.toContain('do-not-serve');
  });

  it('before the web app is built: a 503 that says how to build it', async () => {
    const url = await serve(false);
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/pnpm build/);
    expect((await fetch(`${url}/`, { method: 'DELETE' })).status).toBe(405);
  });
});
