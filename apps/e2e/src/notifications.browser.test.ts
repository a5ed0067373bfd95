import { type PushService, startPushService } from '@hubbub/server/test/push-service';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUpThroughUi, useBrowserSuite } from './browser-harness';

/*
 * Notifications in Chromium. What is real: the service worker (public/sw.js)
 * registering at sign-in with scope "/", the settings panel asking for
 * permission (granted by the test), fetching the VAPID key and storing the
 * subscription through notification.subscribePush, the server encrypting a
 * push for it (checked by the loopback push service, which decrypts it), and
 * the worker showing that push's notice. What is not: headless Chromium has
 * no push service (PushManager.subscribe fails with "AbortError: Registration
 * failed - permission denied", and FCM is out of reach anyway), so the test
 * stands in for PushManager.subscribe with a subscription whose keys the test
 * made (its endpoint is the loopback push service), and hands the decrypted
 * payload to the worker through DevTools (ServiceWorker.deliverPushMessage)
 * instead of the browser's own decryption. A click on the notification is
 * not driven (DevTools cannot click one).
 */

const WAIT = 15_000;
const suite = useBrowserSuite({ push: { allowLoopbackEndpoints: true } });
let pushService: PushService;
beforeAll(async () => {
  pushService = await startPushService();
});
afterAll(async () => {
  await pushService?.close();
});

/** In the page, before any app code: PushManager.subscribe answers the test's subscription and records the key asked for. */
function standInForPushManager(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) {
  const stub = { serverKeys: [] as string[] };
  (window as unknown as { pushStub: typeof stub }).pushStub = stub;
  let current: unknown = null;
  const toBase64url = (key: BufferSource) =>
    btoa(String.fromCharCode(...new Uint8Array(key instanceof ArrayBuffer ? key : key.buffer)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  PushManager.prototype.subscribe = async function subscribe(options?: PushSubscriptionOptionsInit) {
    const key = options?.applicationServerKey as BufferSource;
    stub.serverKeys.push(toBase64url(key));
    const made = {
      endpoint: subscription.endpoint,
      expirationTime: null,
      options: { applicationServerKey: new Uint8Array(key instanceof ArrayBuffer ? key : key.buffer).buffer },
      toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
      unsubscribe: async () => {
        current = null;
        return true;
      },
    };
    current = made;
    return made as unknown as PushSubscription;
  };
  PushManager.prototype.getSubscription = async () => current as PushSubscription | null;
}

async function signUpWithPush(
  handle: string,
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
): Promise<Page> {
  const page = await suite.newPage(handle, {
    prepare: async (context: BrowserContext) => {
      await context.grantPermissions(['notifications'], { origin: suite.server.url });
      await context.addInitScript(standInForPushManager, subscription);
    },
  });
  await signUpThroughUi(page, suite.server.url, handle, WAIT);
  return page;
}

/** The service worker's registration id, as DevTools knows it (to deliver a push to it). */
async function workerRegistrationId(page: Page): Promise<{ send(data: string): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  const scope = `${suite.server.url}/`;
  const id = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const found = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (found) resolve(found.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await id;
  return {
    send: (data) =>
      cdp.send('ServiceWorker.deliverPushMessage', { origin: suite.server.url, registrationId, data }).then(() => {}),
  };
}

describe('notifications in a real browser', () => {
  it('serves the service worker as uncached JavaScript from the web root', async () => {
    const response = await fetch(`${suite.server.url}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript|^application\/javascript/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain("addEventListener('push'");
  });

  it('registers the worker, subscribes through the settings panel, shows a push, and turns off again', async () => {
    const browser = pushService.browser();
    const subscription = { endpoint: browser.endpoint, keys: browser.keys };
    const page = await signUpWithPush('ada', subscription);
    const { server } = suite;
    const ada = await server.hubbub.deps.stores.users.byHandleWithSecret('ada');
    if (!ada) throw new Error('ada was not signed up');
    const store = server.hubbub.deps.stores.notifications;

    // The worker is registered at sign-in, for the whole app.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe(`${server.url}/`);

    await page.getByTestId('user-menu').click();
    await page.getByTestId('open-notification-settings').click();
    const state = page.getByTestId('push-state');
    await page.locator('[data-testid="push-state"][data-state="off"]').waitFor({ timeout: WAIT });
    expect(await page.getByTestId('notification-level-mentions').isChecked()).toBe(true);

    await page.getByTestId('push-toggle').click();
    await page.locator('[data-testid="push-state"][data-state="on"]').waitFor({ timeout: WAIT });
    expect(await state.textContent()).toContain('On');
    // Subscribed with the server's VAPID key, and stored on the server for Ada.
    const serverKeys = await page.evaluate(
      () => (window as unknown as { pushStub: { serverKeys: string[] } }).pushStub.serverKeys,
    );
    expect(serverKeys).toEqual([server.hubbub.deps.push.vapidPublicKey]);
    expect(await store.subscriptionsOf(ada.id)).toEqual([
      { endpoint: browser.endpoint, userId: ada.id, ...browser.keys, createdAt: expect.any(String) },
    ]);

    await page.getByTestId('notification-level-all').click();
    await page.locator('[data-testid="notification-level-all"]:checked').waitFor({ timeout: WAIT });
    await vi.waitFor(async () => expect((await store.settings(ada.id)).level).toBe('all'));

    // A push the server encrypts for this subscription, decrypted by the push service, shown by the worker.
    const worker = await workerRegistrationId(page);
    const notice = { title: 'Bob in #dev', body: 'lunch?', url: '/#/c/dev', tag: 'channel:dev' };
    server.hubbub.deps.push.notify(ada.id, notice);
    const [push] = await pushService.waitFor((p) => p.length === 1);
    expect(JSON.parse(push?.payload ?? '')).toEqual(notice);
    await vi.waitFor(
      async () => {
        const shown = await page.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
            tag: n.tag,
            data: n.data as unknown,
          })),
        );
        // DevTools drops a push it hands over while the worker is (re)starting, so it is handed over
        // again until one is shown; the notice's tag makes a second showing replace the first.
        if (shown.length === 0) await worker.send(push?.payload ?? '');
        expect(shown).toEqual([{ title: notice.title, body: notice.body, tag: notice.tag, data: { url: notice.url } }]);
      },
      { timeout: WAIT, interval: 500 },
    );

    await page.getByTestId('push-toggle').click();
    await page.locator('[data-testid="push-state"][data-state="off"]').waitFor({ timeout: WAIT });
    expect(await store.subscriptionsOf(ada.id)).toEqual([]);
    expect(suite.pageErrors).toEqual([]);
  });

  it('logging out forgets this browser on the server first: no pushes for the person after they leave', async () => {
    const browser = pushService.browser();
    const page = await signUpWithPush('bea', { endpoint: browser.endpoint, keys: browser.keys });
    const bea = await suite.server.hubbub.deps.stores.users.byHandleWithSecret('bea');
    if (!bea) throw new Error('bea was not signed up');
    const store = suite.server.hubbub.deps.stores.notifications;
    await page.getByTestId('user-menu').click();
    await page.getByTestId('open-notification-settings').click();
    await page.getByTestId('push-toggle').click();
    await page.locator('[data-testid="push-state"][data-state="on"]').waitFor({ timeout: WAIT });
    expect(await store.subscriptionsOf(bea.id)).toHaveLength(1);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByTestId('user-menu').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('auth-submit').waitFor({ timeout: WAIT });
    expect(await store.subscriptionsOf(bea.id)).toEqual([]);
    expect(suite.pageErrors).toEqual([]);
  });
});
