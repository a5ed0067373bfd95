/**
 * Attack class: anything at all. Seeded fast-check runs of random methods,
 * paths full of percent-escapes, headers and raw bytes against the HTTP path
 * and the WebSocket upgrade path of a real server (web app, API, health); after
 * each batch /healthz answers and a real client still chats. No request may
 * hang, and none may find a handler that throws (a 500).
 *
 * HUBBUB_FUZZ_SEED and HUBBUB_FUZZ_RUNS (per batch) widen a local run.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';
import { type Chatter, startChatter } from './alive';
import { openRaw, rawHttp } from './raw-http';
import { fakeWebApp } from './web-dir';

const SEED = Number(process.env.HUBBUB_FUZZ_SEED ?? 0x5eed);
const RUNS = Number(process.env.HUBBUB_FUZZ_RUNS ?? 150);
const BATCHES = 3;

const percentEscape = fc.oneof(
  fc.constantFrom('%', '%Z', '%ZZ', '%E0', '%E0%A4%A', '%C0', '%C0%AF', '%00', '%2e%2e', '%2f', '%ff', '%25', '%u0041'),
  fc
    .tuple(fc.constantFrom(...'0123456789abcdefABCDEFgz%/.'), fc.constantFrom(...'0123456789abcdefABCDEFgz%/.', ''))
    .map(([a, b]) => `%${a}${b}`),
);
const segment = fc.oneof(
  fc.constantFrom('', '.', '..', 'trpc', 'ws', 'assets', 'app-1234.js', 'index.html', 'healthz', 'readyz'),
  fc.constantFrom('metrics', 'api', 'status', 'system.ping', 'auth.login', 'channel.list', 'c', 'general', '.env'),
  percentEscape,
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const path = fc
  .tuple(fc.array(fc.array(segment, { maxLength: 3 }), { maxLength: 4 }), fc.option(fc.string({ maxLength: 20 })))
  .map(([parts, query]) => `/${parts.map((p) => p.join('')).join('/')}${query === null ? '' : `?${query}`}`);
const method = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'SEARCH'),
  fc.constantFrom('get', 'G ET', 'BREW', '', 'GET\u0000', 'ÄÖÜ'),
);
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 }));
const headers = fc.record(
  {
    range: fc.oneof(
      fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`),
      fc.constantFrom('bytes=-5', 'bytes=0-1,3-4', 'bytes=5-2', 'bytes=', 'bytes=99999999999999999999-'),
      headerValue,
    ),
    'accept-encoding': fc.constantFrom('br', 'gzip', 'br, gzip', 'identity', '*', 'x'),
    authorization: fc.oneof(
      headerValue.map((v) => `Bearer ${v}`),
      headerValue,
    ),
    'x-forwarded-for': headerValue,
    'if-none-match': headerValue,
    'content-type': fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x'),
    origin: headerValue,
  },
  { requiredKeys: [] },
);

function httpRequest(m: string, target: string, h: Record<string, string>, body: string): string {
  const lines = Object.entries(h).map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, ' ')}\r\n`);
  const length = body ? `content-length: ${Buffer.byteLength(body)}\r\n` : '';
  return `${m} ${target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n${lines.join('')}${length}\r\n${body}`;
}

let server: TestServer;
let chatter: Chatter;
let removeWeb: () => void;
beforeAll(async () => {
  const web = fakeWebApp();
  removeWeb = web.remove;
  server = await startTestServer({ webDir: web.dir });
  chatter = await startChatter(server);
});
afterAll(async () => {
  await server?.stop();
  removeWeb?.();
});

/** A property run in batches with their own seeds, each batch followed by the "everyone else is fine" check. */
async function inBatches<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>) {
  for (let batch = 0; batch < BATCHES; batch++) {
    await fc.assert(fc.asyncProperty(arbitrary, check), { seed: SEED + batch, numRuns: RUNS });
    await chatter.expectAlive(`${name} batch ${batch + 1}`);
  }
}

describe('fuzzing the edge', () => {
  it('random methods, paths and headers: every request answered, never a 500', async () => {
    const requests = fc.record({ m: method, target: path, h: headers, body: fc.string({ maxLength: 60 }) });
    await inBatches('HTTP requests', requests, async ({ m, target, h, body }) => {
      const answer = await rawHttp(server.port, httpRequest(m, target, h, body));
      expect(answer.status, `${m} ${target}`).not.toBeNull();
      expect(answer.status, `${m} ${target}`).not.toBe(500);
    });
  }, 120_000);

  it('raw bytes, alone or after a request line: the connection always ends, never with a 500', async () => {
    const prefix = fc.constantFrom(
      '',
      'GET / HTTP/1.1\r\n',
      'GET /%E0 HTTP/1.1\r\nhost: x\r\n',
      'POST /trpc/x HTTP/1.1\r\n',
    );
    const bytes = fc.tuple(prefix, fc.uint8Array({ maxLength: 300 }));
    await inBatches('raw bytes', bytes, async ([start, noise]) => {
      const answer = await rawHttp(server.port, Buffer.concat([Buffer.from(start), noise]), { halfClose: true });
      expect(answer.status).not.toBe(500);
    });
  }, 120_000);

  it('random upgrade requests: refused, or upgraded and closed cleanly; no socket left behind', async () => {
    const upgrades = fc.record({
      target: fc.oneof(
        path,
        path.map((p) => `/ws${p}`),
        fc.constant('/ws'),
      ),
      version: fc.constantFrom('13', '8', '', 'x'),
      key: fc.oneof(fc.constant('dGhlIHNhbXBsZSBub25jZQ=='), headerValue),
      h: headers,
    });
    const baseline = server.hubbub.wss.clients.size;
    await inBatches('upgrades', upgrades, async ({ target, version, key, h }) => {
      const conn = await openRaw(server.port);
      const upgradeHeaders = {
        ...h,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': version,
        'sec-websocket-key': key,
      };
      conn.socket.write(httpRequest('GET', target, upgradeHeaders, ''));
      // Either an answer arrives or the server closes the socket.
      await Promise.race([conn.closed, expect.poll(() => conn.status(), { timeout: 5000 }).not.toBeNull()]);
      expect(conn.status(), target).not.toBe(500);
      conn.socket.destroy();
      await conn.closed;
    });
    await expect.poll(() => server.hubbub.wss.clients.size).toBe(baseline);
  }, 120_000);
});
