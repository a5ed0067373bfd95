/// <reference path="./http-ece.d.ts" />
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from 'http_ece';
import { importJWK, jwtVerify } from 'jose';

/** A browser's side of a subscription: the keys it would give the server, and the private key it keeps. */
export interface TestBrowser {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  privateKey: ECDH;
}

/** One push as the push service received it, decrypted with the browser's private key. */
export interface ReceivedPush {
  browser: string;
  headers: IncomingMessage['headers'];
  /** The plaintext the server encrypted (RFC 8291), decrypted here with the subscription's private key. */
  payload: string;
  /** The VAPID JWT's claims, after checking its ES256 signature against the `k=` key (RFC 8292). */
  vapid: { publicKey: string; claims: Record<string, unknown> };
}

/**
 * A Web Push service stand-in on loopback (what FCM or Mozilla's autopush is
 * for a real browser): it takes the server's POST /push/<browser>, checks the
 * VAPID signature, and decrypts the aes128gcm body with the private key of a
 * browser the test made (node:crypto ECDH P-256 and http_ece: real crypto,
 * nothing of web-push mocked). A browser can be told to answer 410 Gone.
 */
export async function startPushService() {
  const received: ReceivedPush[] = [];
  const browsers = new Map<string, { privateKey: ECDH; auth: Buffer; status: number }>();
  const failures: Error[] = [];
  const waiters = new Set<() => void>();
  let count = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const name = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const browser = browsers.get(name);
      if (req.method !== 'POST' || !browser) {
        res.writeHead(404).end();
        return;
      }
      accept(name, browser, req, Buffer.concat(chunks))
        .then((push) => {
          received.push(push);
          res.writeHead(browser.status).end();
        })
        .catch((error: Error) => {
          failures.push(error);
          res.writeHead(400).end();
        })
        .finally(() => {
          for (const wake of waiters) wake();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  async function accept(
    name: string,
    browser: { privateKey: ECDH; auth: Buffer },
    req: IncomingMessage,
    body: Buffer,
  ): Promise<ReceivedPush> {
    if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('the push is not aes128gcm');
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
    if (!match?.[1] || !match[2]) throw new Error('the push has no VAPID authorization');
    const [token, publicKey] = [match[1], match[2]];
    const point = Buffer.from(publicKey, 'base64url');
    const key = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    const { payload: claims } = await jwtVerify(token, key, { audience: `http://127.0.0.1:${port}` });
    const payload = decrypt(body, { version: 'aes128gcm', privateKey: browser.privateKey, authSecret: browser.auth });
    return { browser: name, headers: req.headers, payload: payload.toString('utf8'), vapid: { publicKey, claims } };
  }

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Pushes that could not be verified or decrypted (a test expects none). */
    failures,
    /** A new browser: its subscription (what PushManager.subscribe would return) and its private key. */
    browser(): TestBrowser {
      const name = `browser-${++count}`;
      const privateKey = createECDH('prime256v1');
      privateKey.generateKeys();
      const auth = randomBytes(16);
      browsers.set(name, { privateKey, auth, status: 201 });
      return {
        endpoint: `http://127.0.0.1:${port}/push/${name}`,
        keys: { p256dh: privateKey.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
        privateKey,
      };
    },
    /** From now on this browser's pushes are answered `status` (410: the subscription is gone). */
    answer(endpoint: string, status: number) {
      const browser = browsers.get(endpoint.split('/').at(-1) ?? '');
      if (!browser) throw new Error('no such test browser');
      browser.status = status;
    },
    /** Resolves once `predicate` holds over the pushes received (checked on each arrival). */
    async waitFor(predicate: (pushes: ReceivedPush[]) => boolean): Promise<ReceivedPush[]> {
      while (!predicate(received)) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type PushService = Awaited<ReturnType<typeof startPushService>>;
