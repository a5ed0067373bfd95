import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { vapidKeyBytes } from './push-browser';

/**
 * public/sw.js run in a stand-in of a service worker's global scope: its
 * push and notificationclick handlers, called the way the browser calls them
 * (the browser test shows a real push in Chromium; a click it cannot drive).
 */
const source = readFileSync(new URL('../../../public/sw.js', import.meta.url), 'utf8');
const ORIGIN = 'https://hubbub.example.com';

type Handler = (event: unknown) => void;

function loadWorker(windows: { url: string }[] = []) {
  const handlers = new Map<string, Handler>();
  const shown: { title: string; options: Record<string, unknown> }[] = [];
  const calls: string[] = [];
  const clients = windows.map((w) => ({
    url: w.url,
    postMessage: (message: unknown) => calls.push(`post ${w.url} ${JSON.stringify(message)}`),
    focus: async () => calls.push(`focus ${w.url}`),
  }));
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, handler: Handler) => handlers.set(type, handler),
    skipWaiting: () => {},
    registration: {
      showNotification: async (title: string, options: Record<string, unknown>) => shown.push({ title, options }),
    },
    clients: {
      claim: async () => {},
      matchAll: async () => clients,
      openWindow: async (url: string) => calls.push(`open ${url}`),
    },
  };
  runInNewContext(source, { self, URL });

  /** Dispatches an event with waitUntil, resolving when the work it was given is done. */
  const dispatch = async (type: string, event: object) => {
    let work: Promise<unknown> = Promise.resolve();
    handlers.get(type)?.({ ...event, waitUntil: (p: Promise<unknown>) => (work = p) });
    await work;
  };
  return {
    shown,
    calls,
    push: (data: string | null) =>
      dispatch('push', {
        data: data === null ? null : { json: () => JSON.parse(data), text: () => data },
      }),
    click: (url: unknown) => dispatch('notificationclick', { notification: { data: { url }, close: () => {} } }),
  };
}

describe('the service worker', () => {
  it("shows a push's notice, with its tag and the url to open", async () => {
    const worker = loadWorker();
    await worker.push(JSON.stringify({ title: 'Bob in #dev', body: 'lunch?', url: '/#/c/dev', tag: 'channel:1' }));
    expect(worker.shown).toEqual([
      {
        title: 'Bob in #dev',
        options: { body: 'lunch?', tag: 'channel:1', renotify: true, data: { url: '/#/c/dev' } },
      },
    ]);
  });

  it('still shows something for an empty, unreadable or odd payload (Chrome requires it), fields bounded', async () => {
    const worker = loadWorker();
    await worker.push(null);
    await worker.push('not json');
    await worker.push(JSON.stringify({ title: 'x'.repeat(1000), body: 42 }));
    expect(worker.shown.map((n) => n.title)).toEqual(['Hubbub', 'Hubbub', 'x'.repeat(200)]);
    expect(worker.shown[2]?.options).toMatchObject({ body: '', tag: 'hubbub', data: { url: '/' } });
  });

  it('on a click, tells an open Hubbub tab where to go and focuses it', async () => {
    const worker = loadWorker([{ url: 'https://other.example.com/' }, { url: `${ORIGIN}/#/c/general` }]);
    await worker.click('/#/c/dev');
    expect(worker.calls).toEqual([
      `post ${ORIGIN}/#/c/general {"type":"hubbub:open","url":"${ORIGIN}/#/c/dev"}`,
      `focus ${ORIGIN}/#/c/general`,
    ]);
  });

  it('opens a new tab when none is open, and never another site', async () => {
    const worker = loadWorker();
    await worker.click('/#/c/dev');
    await worker.click('https://evil.example.net/phish');
    await worker.click(undefined);
    expect(worker.calls).toEqual([`open ${ORIGIN}/#/c/dev`, `open ${ORIGIN}/`, `open ${ORIGIN}/`]);
  });
});

describe('vapidKeyBytes', () => {
  it("decodes the server's base64url key to the bytes PushManager wants", () => {
    const key = Buffer.from(Array.from({ length: 65 }, (_, i) => (i * 37) % 256));
    expect(Buffer.from(vapidKeyBytes(key.toString('base64url')))).toEqual(key);
  });
});
