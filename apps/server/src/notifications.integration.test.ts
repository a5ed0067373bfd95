import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PushNotifier } from './push';
import { DEFAULT_VAPID_SUBJECT } from './push/vapid';
import { startTestServer, type TestServer } from './test/harness';
import { type PushService, startPushService } from './test/push-service';

/**
 * Web Push end to end: a real server signs and encrypts, a push service
 * stand-in on loopback (test/push-service.ts) verifies the VAPID JWT and
 * decrypts with the browser's private key. The stand-in is plain http on
 * 127.0.0.1, which the server allows only with `allowLoopbackEndpoints`.
 */

let server: TestServer;
let pushService: PushService;
afterEach(async () => {
  await server?.stop();
  await pushService?.close();
});

async function start() {
  pushService = await startPushService();
  server = await startTestServer({ push: { allowLoopbackEndpoints: true } });
  const ada = await server.signup('ada');
  const bob = await server.signup('bob');
  return { ada, bob, a: server.client(ada.token), b: server.client(bob.token) };
}

const subscriptionOf = (browser: { endpoint: string; keys: { p256dh: string; auth: string } }) => ({
  endpoint: browser.endpoint,
  keys: browser.keys,
});

describe('Web Push', () => {
  it('sends a notice to every browser of a person, encrypted for each and signed with the VAPID key it hands out', async () => {
    const { ada, a } = await start();
    const laptop = pushService.browser();
    const phone = pushService.browser();
    await a.api.notification.subscribePush.mutate(subscriptionOf(laptop));
    await a.api.notification.subscribePush.mutate(subscriptionOf(phone));
    const { publicKey } = await a.api.notification.vapidPublicKey.query();

    const notice = { title: 'Bob mentioned you', body: 'in #dev: “ship it?” 🚢', url: '/#/c/dev', tag: 'channel:dev' };
    server.hubbub.deps.push.notify(ada.user.id, notice);
    const pushes = await pushService.waitFor((p) => p.length === 2);

    expect(pushService.failures).toEqual([]);
    expect(pushes.map((p) => p.browser).sort()).toEqual(
      [laptop, phone].map((b) => b.endpoint.split('/').at(-1)).sort(),
    );
    for (const push of pushes) {
      expect(JSON.parse(push.payload)).toEqual(notice);
      expect(push.vapid.publicKey).toBe(publicKey);
      expect(push.vapid.claims).toMatchObject({ aud: pushService.url, sub: DEFAULT_VAPID_SUBJECT });
      expect(Number(push.headers.ttl)).toBeGreaterThan(0);
    }
  });

  it('notifies the members a posted message concerns, with who, where and a link to the channel', async () => {
    const { ada, bob, a, b } = await start();
    const dev = await a.api.channel.create.mutate({ slug: 'dev', name: 'Dev' });
    await b.api.channel.join.mutate({ channelId: dev.id });
    const adasBrowser = pushService.browser();
    const bobsBrowser = pushService.browser();
    await a.api.notification.subscribePush.mutate(subscriptionOf(adasBrowser));
    await b.api.notification.subscribePush.mutate(subscriptionOf(bobsBrowser));

    // Stored directly (not message.send), so only this test's call notifies.
    const { message } = await server.hubbub.deps.stores.chat.sendMessage({
      channelId: dev.id,
      authorId: ada.user.id,
      content: '@bob   the build\nis green',
    });
    server.hubbub.deps.push.messagePosted({ channel: dev, message, mentionedUserIds: [bob.user.id] });
    const [push] = await pushService.waitFor((p) => p.length === 1);
    await (server.hubbub.deps.push as PushNotifier).idle();

    // Bob (level mentions, mentioned) hears; Ada, the author, does not.
    expect(pushService.received).toHaveLength(1);
    expect(push?.browser).toBe(bobsBrowser.endpoint.split('/').at(-1));
    expect(JSON.parse(push?.payload ?? '')).toEqual({
      title: 'ada in #dev',
      body: '@bob the build is green',
      url: '/#/c/dev',
      tag: `channel:${dev.id}`,
    });
  });

  it('forgets a subscription its push service calls gone (410), and keeps the others', async () => {
    const { ada, a } = await start();
    const old = pushService.browser();
    const current = pushService.browser();
    await a.api.notification.subscribePush.mutate(subscriptionOf(old));
    await a.api.notification.subscribePush.mutate(subscriptionOf(current));
    pushService.answer(old.endpoint, 410);

    server.hubbub.deps.push.notify(ada.user.id, { title: 't', body: 'b', url: '/', tag: 'x' });
    await pushService.waitFor((p) => p.length === 2);
    const store = server.hubbub.deps.stores.notifications;
    await vi.waitFor(async () => {
      expect((await store.subscriptionsOf(ada.user.id)).map((s) => s.endpoint)).toEqual([current.endpoint]);
    });
  });

  it('keeps the VAPID keys across a restart on the same data dir: old subscriptions stay valid', async () => {
    const { a } = await start();
    const before = await a.api.notification.vapidPublicKey.query();
    const { dataDir, port } = server;
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir, port, push: { allowLoopbackEndpoints: true } });
    const { token } = await server.signup('carol');
    expect(await server.client(token).api.notification.vapidPublicKey.query()).toEqual(before);
    expect(before.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
  });
});
