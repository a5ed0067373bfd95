import type { Message, NotificationStore } from '@hubbub/core';
import { createSqliteStores, type Stores } from '@hubbub/db';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { createPushNotifier } from './notifier';
import { createPushSender } from './push-sender';
import { resolveVapidKeys } from './vapid';

let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

/** A notifier on real SQLite stores whose lookups of whom to notify wait until `answer()`; what it logs. */
async function notifierWithHeldLookups(maxQueued: number) {
  stores = await createSqliteStores(':memory:');
  const real = stores.notifications;
  const held: (() => void)[] = [];
  let asked = 0;
  const store: NotificationStore = {
    ...real,
    recipients: async (query) => {
      asked++;
      await new Promise<void>((resolve) => held.push(resolve));
      return real.recipients(query);
    },
  };
  const vapid = await resolveVapidKeys(real, {});
  const policy = { allowLoopback: false };
  const warnings: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => warnings.push(JSON.parse(line).msg) });
  const notifier = createPushNotifier({
    store,
    channels: stores.chat,
    sender: createPushSender({ vapid, policy }),
    vapidPublicKey: vapid.publicKey,
    policy,
    logger,
    maxQueued,
  });
  const channel = await stores.chat.channelBySlug('general');
  if (!channel) throw new Error('no general channel');
  const post = (n: number) =>
    notifier.messagePosted({
      channel,
      message: { id: `m${n}`, channelId: channel.id, authorId: null } as Message,
      mentionedUserIds: [],
    });
  const answer = () => {
    for (const go of held.splice(0)) go();
  };
  return { notifier, post, warnings, asked: () => asked, answer };
}

describe('push notifier', () => {
  it('asks whom to notify at once, outside the queue of pushes, and drops what is past maxQueued unanswered', async () => {
    const { notifier, post, warnings, asked, answer } = await notifierWithHeldLookups(3);
    // More than the queue's 8 pushes at a time would let through: every lookup is asked, none waits for a turn.
    for (let n = 0; n < 3; n++) post(n);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked()).toBe(3);
    post(3);
    expect(asked()).toBe(3);
    expect(warnings).toEqual(['push: too many notifications waiting: dropped one']);

    let idle = false;
    const settled = notifier.idle().then(() => (idle = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    answer();
    await settled;
    // Answered, there is room again.
    post(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked()).toBe(4);
    answer();
    await notifier.close();
  });

  it('close waits for the lookups asked and takes no more', async () => {
    const { notifier, post, asked, answer } = await notifierWithHeldLookups(10);
    post(0);
    await new Promise((resolve) => setImmediate(resolve));
    let closed = false;
    const closing = notifier.close().then(() => (closed = true));
    post(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect([asked(), closed]).toEqual([1, false]);
    answer();
    await closing;
    expect(closed).toBe(true);
  });
});
