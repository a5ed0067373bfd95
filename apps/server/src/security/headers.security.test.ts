/**
 * Attack class: content injection and framing. Every response (web app, API,
 * health, errors) carries a CSP with no inline script and helmet's headers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { rawHttp, request } from './raw-http';
import { fakeWebApp } from './web-dir';

let server: TestServer | undefined;
let removeWeb: (() => void) | undefined;
afterEach(async () => {
  await server?.stop();
  removeWeb?.();
  server = removeWeb = undefined;
});

const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'self'",
];

function expectSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(
    csp.split(';').map((d) => d.trim()),
    what,
  ).toEqual(EXPECTED_CSP);
  // Hubbub runs on plain http://localhost: upgrading its requests to https would break it.
  expect(csp, what).not.toContain('upgrade-insecure-requests');
  expect(csp, what).not.toContain('unsafe-inline');
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('origin-agent-cluster'), what).toBe('?1');
  expect(headers.get('x-powered-by'), what).toBeNull();
}

describe('security headers', () => {
  it('are on the web app, the API, health checks, operator endpoints and every error', async () => {
    const web = fakeWebApp();
    removeWeb = web.remove;
    server = await startTestServer({ webDir: web.dir });
    const { url } = server;
    const cases: [string, string, RequestInit?][] = [
      ['index.html', '/'],
      ['a client route', '/c/general'],
      ['a hashed asset', '/assets/app-1234.js'],
      ['a missing asset (404)', '/assets/nope.js'],
      ['a wrong method (405)', '/', { method: 'PUT' }],
      ['a tRPC query', '/trpc/system.ping'],
      ['a tRPC error', '/trpc/no.such.procedure'],
      ['a tRPC auth error', '/trpc/channel.list'],
      ['/healthz', '/healthz'],
      ['/readyz', '/readyz'],
      ['/metrics refused (401)', '/metrics'],
      ['/api/status refused (401)', '/api/status'],
    ];
    for (const [what, path, init] of cases) {
      const res = await fetch(`${url}${path}`, init);
      await res.arrayBuffer();
      expectSecurityHeaders(res.headers, `${what}: ${res.status}`);
    }
  });

  it('are on the 400 for a bad escape and on the 503 before the web app is built', async () => {
    server = await startTestServer();
    const bad = await rawHttp(server.port, request('GET', '/%E0%A4%A'));
    expect(bad.status).toBe(400);
    const headers = new Headers(
      bad.head
        .split('\r\n')
        .slice(1)
        .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
    );
    expectSecurityHeaders(headers, 'bad escape');
    const notBuilt = await fetch(server.url);
    expect(notBuilt.status).toBe(503);
    expectSecurityHeaders(notBuilt.headers, 'not built');
  });
});
