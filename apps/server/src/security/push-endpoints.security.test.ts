/**
 * Attack: using push subscriptions to make the server send requests where an
 * attacker wants (SSRF: its own loopback, the cloud metadata address, the
 * office network), to pile up subscriptions, or to meddle with someone
 * else's. The server POSTs only to public https hosts on port 443, checks the
 * addresses a name resolves to when it connects, keeps a person's newest 10
 * browsers, takes subscriptions from people only, and unsubscribes only the
 * caller's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PushNotifier } from '../push';
import { startTestServer, type TestServer } from '../test/harness';
import { type PushService, startPushService } from '../test/push-service';
import { startChatter } from './alive';

let server: TestServer;
let pushService: PushService | undefined;
afterEach(async () => {
  await server?.stop();
  await pushService?.close();
});

const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'a'.repeat(22) };
const answerOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: { message: string; data?: { code?: string } }) => `${error.data?.code}: ${error.message}`,
  );

describe('push endpoints', () => {
  it('refuses endpoints that are not public https push services, and stores none of them', async () => {
    server = await startTestServer();
    const chatter = await startChatter(server);
    const mallory = await server.signup('mallory');
    const api = server.client(mallory.token).api;
    const refused: [string, string][] = [
      ['http://push.example.com/x', 'the push endpoint must be an https URL'],
      ['ftp://push.example.com/x', 'the push endpoint must be an https URL'],
      ['http://127.0.0.1:6379/x', 'the push endpoint must be an https URL'],
      ['https://127.0.0.1/x', 'the push endpoint must be a public address'],
      ['https://2130706433/x', 'the push endpoint must be a public address'],
      ['https://0x7f.1/x', 'the push endpoint must be a public address'],
      ['https://169.254.169.254/latest/meta-data', 'the push endpoint must be a public address'],
      ['https://10.0.0.5/x', 'the push endpoint must be a public address'],
      ['https://192.168.1.1/x', 'the push endpoint must be a public address'],
      ['https://[::1]/x', 'the push endpoint must be a public address'],
      ['https://[::ffff:10.0.0.1]/x', 'the push endpoint must be a public address'],
      ['https://[fd00::1]/x', 'the push endpoint must be a public address'],
      ['https://localhost/x', 'the push endpoint must be a public host'],
      ['https://metadata.google.internal/x', 'the push endpoint must be a public host'],
      ['https://intranet/x', 'the push endpoint must be a public host'],
      ['https://push.example.com:8443/x', 'the push endpoint must use the standard https port'],
      ['https://user:pw@push.example.com/x', 'the push endpoint may not carry credentials'],
      ['not a url', 'the push endpoint is not a URL'],
    ];
    for (const [endpoint, why] of refused) {
      expect(await answerOf(api.notification.subscribePush.mutate({ endpoint, keys })), endpoint).toBe(
        `BAD_REQUEST: ${why}`,
      );
    }
    const tooLong = `https://push.example.com/${'x'.repeat(1024)}`;
    expect(await answerOf(api.notification.subscribePush.mutate({ endpoint: tooLong, keys }))).toMatch(/^BAD_REQUEST/);
    expect(
      await answerOf(
        api.notification.subscribePush.mutate({
          endpoint: 'https://push.example.com/x',
          keys: { p256dh: 'B'.repeat(500), auth: keys.auth },
        }),
      ),
    ).toMatch(/^BAD_REQUEST/);
    expect(await server.hubbub.deps.stores.notifications.subscriptionsOf(mallory.user.id)).toEqual([]);
    await chatter.expectAlive('refused push endpoints');
  });

  it('never connects to a stored endpoint on loopback when loopback is not allowed (a policy checked again on send)', async () => {
    pushService = await startPushService();
    server = await startTestServer();
    const mallory = await server.signup('mallory');
    const browser = pushService.browser();
    // As if stored before the policy (or by a server that allowed loopback): the send checks again.
    await server.hubbub.deps.stores.notifications.saveSubscription(
      { endpoint: browser.endpoint, userId: mallory.user.id, ...browser.keys },
      { keepPerUser: 10 },
    );
    server.hubbub.deps.push.notify(mallory.user.id, { title: 't', body: 'b', url: '/', tag: 'x' });
    await (server.hubbub.deps.push as PushNotifier).idle();
    expect(pushService.received).toEqual([]);
  });

  it("keeps a person's subscriptions at 10, refuses API keys, and leaves others' subscriptions alone", async () => {
    server = await startTestServer();
    const admin = await server.signup('admin');
    const ada = await server.signup('ada');
    const mallory = await server.signup('mallory');
    const adaApi = server.client(ada.token).api;
    const malloryApi = server.client(mallory.token).api;
    const adas = { endpoint: 'https://fcm.googleapis.com/fcm/send/ada-phone', keys };
    await adaApi.notification.subscribePush.mutate(adas);

    for (let i = 0; i < 25; i++) {
      await malloryApi.notification.subscribePush.mutate({ endpoint: `https://push.example.com/m/${i}`, keys });
    }
    const store = server.hubbub.deps.stores.notifications;
    const mallorys = (await store.subscriptionsOf(mallory.user.id)).map((s) => s.endpoint);
    expect(mallorys).toHaveLength(10);
    expect(mallorys).toContain('https://push.example.com/m/24');

    expect(await malloryApi.notification.unsubscribePush.mutate({ endpoint: adas.endpoint })).toEqual({
      removed: false,
    });
    expect((await store.subscriptionsOf(ada.user.id)).map((s) => s.endpoint)).toEqual([adas.endpoint]);

    for (const role of ['agent', 'member'] as const) {
      const { key } = await server.client(admin.token).api.apiKey.create.mutate({ name: `bot-${role}`, role });
      const bot = server.client(key).api;
      expect(
        await answerOf(bot.notification.subscribePush.mutate({ endpoint: 'https://push.example.com/b', keys })),
      ).toBe('FORBIDDEN: only a person signed in themselves can do this, not an API key');
    }
    expect((await store.subscriptionsOf(ada.user.id)).map((s) => s.endpoint)).toEqual([adas.endpoint]);
  });
});
