import type { Notifier } from '@hubbub/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, refusal, type TestApp } from './test/app';

/**
 * notification.* through createCaller: who may subscribe a browser and change
 * settings, and what is refused. The real push path (crypto, the endpoint
 * policy, a push service on a socket) is apps/server's notifications test.
 */

/** A Notifier that sends nothing and accepts https endpoints only (the server's policy is stricter). */
const httpsOnly: Notifier = {
  vapidPublicKey: 'BTestVapidPublicKey',
  endpointProblem: (endpoint) => (endpoint.startsWith('https://') ? null : 'the push endpoint must be an https URL'),
  notify() {},
  messagePosted() {},
};

const keys = { p256dh: `B${'x'.repeat(86)}`, auth: 'a'.repeat(22) };
let n = 0;
const browser = () => ({ endpoint: `https://push.example.com/send/${++n}`, keys });

let app: TestApp;
afterEach(async () => {
  await app.close();
});

describe('notification procedures', () => {
  it('gives a signed-in person the VAPID key and stores their browser; signed out is refused', async () => {
    app = await createTestApp({ push: httpsOnly });
    const { user, call } = await app.person('ada');
    expect(await call.notification.vapidPublicKey()).toEqual({ publicKey: 'BTestVapidPublicKey' });
    const sub = browser();
    expect(await call.notification.subscribePush(sub)).toBeNull();
    expect(await app.deps.stores.notifications.subscriptionsOf(user.id)).toEqual([
      { endpoint: sub.endpoint, userId: user.id, ...sub.keys, createdAt: expect.any(String) },
    ]);
    expect((await refusal(() => app.anonymous().notification.subscribePush(browser()))).code).toBe('UNAUTHORIZED');
    expect((await refusal(() => app.anonymous().notification.vapidPublicKey())).code).toBe('UNAUTHORIZED');
  });

  it('refuses API keys, of either role: push subscriptions and settings are for people', async () => {
    app = await createTestApp({ push: httpsOnly });
    const admin = await app.person('admin');
    const message = 'only a person signed in themselves can do this, not an API key';
    for (const role of ['agent', 'member'] as const) {
      const key = await app.apiKey(admin.user, { name: `key-${role}`, role });
      expect(await refusal(() => key.call.notification.subscribePush(browser()))).toEqual({
        code: 'FORBIDDEN',
        message,
      });
      expect(await refusal(() => key.call.notification.setLevel({ level: 'all' }))).toEqual({
        code: 'FORBIDDEN',
        message,
      });
      expect(await app.deps.stores.notifications.subscriptionsOf(key.user.id)).toEqual([]);
    }
  });

  it('refuses an endpoint the notifier will not call, and malformed keys', async () => {
    app = await createTestApp({ push: httpsOnly });
    const { user, call } = await app.person('ada');
    expect(await refusal(() => call.notification.subscribePush({ endpoint: 'http://10.0.0.5/push', keys }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'the push endpoint must be an https URL',
    });
    const bad = [
      { ...browser(), keys: { ...keys, p256dh: 'short' } },
      { ...browser(), keys: { ...keys, p256dh: `C${'x'.repeat(86)}` } },
      { ...browser(), keys: { ...keys, auth: 'a'.repeat(23) } },
      { ...browser(), keys: { ...keys, auth: 'not base64url!!!!!!!' } },
      { endpoint: `https://push.example.com/${'x'.repeat(1100)}`, keys },
    ];
    for (const input of bad)
      expect((await refusal(() => call.notification.subscribePush(input))).code).toBe('BAD_REQUEST');
    expect(await app.deps.stores.notifications.subscriptionsOf(user.id)).toEqual([]);
  });

  it('on a host without push, says so: no key, and subscribing is refused', async () => {
    app = await createTestApp();
    const { call } = await app.person('ada');
    expect(await call.notification.vapidPublicKey()).toEqual({ publicKey: null });
    expect(await refusal(() => call.notification.subscribePush(browser()))).toEqual({
      code: 'BAD_REQUEST',
      message: 'push notifications are off on this server',
    });
  });

  it('keeps a person at 10 browsers (their newest), and unsubscribing leaves other people’s alone', async () => {
    app = await createTestApp({ push: httpsOnly });
    const ada = await app.person('ada');
    const bob = await app.person('bob');
    const bobs = browser();
    await bob.call.notification.subscribePush(bobs);
    let last = browser();
    for (let i = 0; i < 12; i++) {
      last = browser();
      await ada.call.notification.subscribePush(last);
    }
    const adas = await app.deps.stores.notifications.subscriptionsOf(ada.user.id);
    expect(adas).toHaveLength(10);
    expect(adas.map((s) => s.endpoint)).toContain(last.endpoint);
    expect(await ada.call.notification.unsubscribePush({ endpoint: bobs.endpoint })).toEqual({ removed: false });
    expect(await app.deps.stores.notifications.subscriptionsOf(bob.user.id)).toHaveLength(1);
    expect(await ada.call.notification.unsubscribePush({ endpoint: last.endpoint })).toEqual({ removed: true });
    expect(await app.deps.stores.notifications.subscriptionsOf(ada.user.id)).toHaveLength(9);
  });

  it('sets the level and mutes channels the person can read; a private channel of others is NOT_FOUND', async () => {
    app = await createTestApp({ push: httpsOnly });
    const ada = await app.person('ada');
    const bob = await app.person('bob');
    expect(await ada.call.notification.settings()).toEqual({ level: 'mentions', mutedChannelIds: [] });
    expect(await ada.call.notification.setLevel({ level: 'all' })).toEqual({ level: 'all', mutedChannelIds: [] });
    expect((await refusal(() => ada.call.notification.setLevel({ level: 'loud' as 'all' }))).code).toBe('BAD_REQUEST');
    const open = await bob.call.channel.create({ slug: 'open', name: 'Open' });
    const secret = await bob.call.channel.create({ slug: 'secret', name: 'Secret', visibility: 'private' });
    expect(await ada.call.notification.mute({ channelId: open.id })).toEqual({
      level: 'all',
      mutedChannelIds: [open.id],
    });
    expect(await refusal(() => ada.call.notification.mute({ channelId: secret.id }))).toEqual({
      code: 'NOT_FOUND',
      message: 'channel not found',
    });
    expect(await ada.call.notification.unmute({ channelId: open.id })).toEqual({ level: 'all', mutedChannelIds: [] });
    expect(await bob.call.notification.settings()).toEqual({ level: 'mentions', mutedChannelIds: [] });
  });
});
