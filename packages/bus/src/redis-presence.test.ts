import { randomUUID } from 'node:crypto';
import type { BusEvent } from '@hubbub/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus } from './memory-bus';
import { createRedisPresence, type RedisPresenceOptions } from './redis-presence';
import { presenceContract } from './test/presence-contract';
import { redisUnreachable } from './test/redis-probe';

const url = process.env.HUBBUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** One namespace per run, so concurrent runs on one Redis never see each other. */
const prefix = `hubbub-test-${randomUUID()}`;

const unreachable = await redisUnreachable(url);

/** Waits for Redis (and, for expiry, for the TTL); asserts nothing about how long it takes. */
const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 5_000, interval: 20 });

let instances = 0;
const instanceName = () => `instance-${++instances}`;

describe.skipIf(unreachable !== null)('Redis presence', () => {
  presenceContract('Presence contract (redis)', (bus) =>
    createRedisPresence({ url, prefix, instance: instanceName(), bus }),
  );

  // Several instances of one cluster: each has its own presence, all share Redis (and a bus).
  const bus = createMemoryBus();
  const open: ReturnType<typeof createRedisPresence>[] = [];
  const instance = (options: Partial<RedisPresenceOptions> = {}) => {
    const presence = createRedisPresence({ url, prefix, instance: instanceName(), bus, ...options });
    open.push(presence);
    return presence;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((presence) => presence.close()));
  });
  afterAll(async () => {
    await bus.close();
  });

  let channels = 0;
  const fresh = () => `presence-cluster-${Date.now()}-${++channels}`;
  const sorted = async (list: Promise<string[]>) => [...(await list)].sort();

  it("lists every instance's users, each once, to every instance", async () => {
    const c = fresh();
    const a = instance();
    const b = instance();
    a.changed(c, ['ada', 'cy']);
    b.changed(c, ['bob', 'cy']);
    await eventually(async () => {
      expect(await sorted(a.online(c))).toEqual(['ada', 'bob', 'cy']);
      expect(await sorted(b.online(c))).toEqual(['ada', 'bob', 'cy']);
    });
  });

  it('tells the channel the whole cluster’s list, once per change', async () => {
    const c = fresh();
    const lists: string[][] = [];
    await bus.subscribe(c, (event: BusEvent) => {
      if (event.kind === 'signal' && event.signal.type === 'presence') lists.push([...event.signal.online].sort());
    });
    const a = instance();
    const b = instance();
    a.changed(c, ['ada']);
    await eventually(async () => expect(lists.at(-1)).toEqual(['ada']));
    b.changed(c, ['bob']);
    await eventually(async () => expect(lists.at(-1)).toEqual(['ada', 'bob']));
    // A heartbeat catches an instance up with the cluster; once caught up, heartbeats say nothing again.
    await a.refresh();
    await b.refresh();
    const before = lists.length;
    await a.refresh();
    await b.refresh();
    expect(lists).toHaveLength(before);
    expect(lists.at(-1)).toEqual(['ada', 'bob']);
  });

  it('drops a closed instance’s users at once, and keeps the others', async () => {
    const c = fresh();
    const a = instance();
    const b = instance();
    a.changed(c, ['ada']);
    b.changed(c, ['bob']);
    await eventually(async () => expect(await sorted(b.online(c))).toEqual(['ada', 'bob']));
    open.splice(open.indexOf(a), 1);
    await a.close();
    expect(await b.online(c)).toEqual(['bob']);
  });

  it('drops the users of an instance that stops refreshing (killed) after the TTL; a live one keeps its users', async () => {
    const c = fresh();
    // "Killed": it never refreshes again. The live one refreshes well within the TTL.
    const killed = instance({ ttlMs: 300, heartbeatMs: 60_000 });
    const live = instance({ ttlMs: 300, heartbeatMs: 50 });
    killed.changed(c, ['ada']);
    live.changed(c, ['bob']);
    await eventually(async () => expect(await sorted(live.online(c))).toEqual(['ada', 'bob']));
    await eventually(async () => expect(await live.online(c)).toEqual(['bob']));
  });
});
