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

  it('message.send notifies the members it concerns: who, where, a link to the channel; never the author', async () => {
    const { bob, a, b } = await start();
    const carol = await server.signup('carol');
    const c = server.client(carol.token);
    const dev = await a.api.channel.create.mutate({ slug: 'dev', name: 'Dev' });
    await b.api.channel.join.mutate({ channelId: dev.id });
    await c.api.channel.join.mutate({ channelId: dev.id });
    const browsers = { ada: pushService.browser(), bob: pushService.browser(), carol: pushService.browser() };
    await a.api.notification.subscribePush.mutate(subscriptionOf(browsers.ada));
    await b.api.notification.subscribePush.mutate(subscriptionOf(browsers.bob));
    await c.api.notification.subscribePush.mutate(subscriptionOf(browsers.carol));
    await a.api.notification.setLevel.mutate({ level: 'all' });
    const nameOf = new Map(Object.entries(browsers).map(([name, br]) => [br.endpoint.split('/').at(-1), name]));
    const heard = () => pushService.received.map((p) => nameOf.get(p.browser)).sort();

    // Bob is mentioned (level mentions, the default); Carol is not; Ada wrote it.
    await a.api.message.send.mutate({ channelId: dev.id, content: '@bob   the build\nis green' });
    const [push] = await pushService.waitFor((p) => p.length === 1);
    await (server.hubbub.deps.push as PushNotifier).idle();
    expect(heard()).toEqual(['bob']);
    expect(JSON.parse(push?.payload ?? '')).toEqual({
      title: 'ada in #dev',
      body: '@bob the build is green',
      url: '/#/c/dev',
      tag: `channel:${dev.id}`,
    });

    // Ada (level all) hears Carol's plain message; Bob (mentions) does not.
    await c.api.message.send.mutate({ channelId: dev.id, content: 'lunch?' });
    await pushService.waitFor((p) => p.length === 2);
    await (server.hubbub.deps.push as PushNotifier).idle();
    expect(heard()).toEqual(['ada', 'bob']);

    // Muted: nothing from #dev for Ada, not even a mention.
    await a.api.notification.mute.mutate({ channelId: dev.id });
    await c.api.message.send.mutate({ channelId: dev.id, content: '@ada are you there?' });
    await (server.hubbub.deps.push as PushNotifier).idle();
    expect(heard()).toEqual(['ada', 'bob']);

    // A direct message counts at level mentions: Bob hears Carol's.
    const dm = await c.api.dm.open.mutate({ userIds: [bob.user.id] });
    await c.api.message.send.mutate({ channelId: dm.id, content: 'psst' });
    const pushes = await pushService.waitFor((p) => p.length === 3);
    expect(heard()).toEqual(['ada', 'bob', 'bob']);
    expect(JSON.parse(pushes[2]?.payload ?? '')).toMatchObject({
      title: 'carol',
      body: 'psst',
      url: `/#/c/${dm.slug}`,
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

  it('logging out everywhere forgets every browser of the person: no pushes to devices they signed out of', async () => {
    const { ada, bob, a, b } = await start();
    await a.api.notification.subscribePush.mutate(subscriptionOf(pushService.browser()));
    await a.api.notification.subscribePush.mutate(subscriptionOf(pushService.browser()));
    await b.api.notification.subscribePush.mutate(subscriptionOf(pushService.browser()));
    const store = server.hubbub.deps.stores.notifications;
    expect(await store.subscriptionsOf(ada.user.id)).toHaveLength(2);

    expect(await a.api.auth.logoutAll.mutate({})).toEqual({ ended: 1 });
    expect(await store.subscriptionsOf(ada.user.id)).toEqual([]);
    // Someone else's browsers stay.
    expect(await store.subscriptionsOf(bob.user.id)).toHaveLength(1);
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
