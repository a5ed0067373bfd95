/**
 * Scale-out: three real server processes on one PostgreSQL database and one
 * Redis, started once for the file (each test uses a channel of its own).
 * Skipped, with the reason, only when PostgreSQL or Redis is unreachable.
 */
import type { HubbubClient } from '@hubbub/client';
import { runWorker } from '@hubbub/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Cluster, probeBackends, type SignedUp, startCluster, TrpcHttpError, waitUntil } from './test/cluster';
import { type Received, recordChannel, type StreamRecorder } from './test/stream';

const backends = await probeBackends();
if (!backends.reachable) console.warn(`cluster tests skipped: ${backends.reason}`);

interface Message {
  id: string;
  seq: number;
  content: string;
  channelId: string;
}

const offsetOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));
const created = (events: Received[]) => events.filter((e) => e.data.type === 'message.created');
const messageOf = (e: Received) => e.data.message as Message;

interface SystemStatus {
  instance: string;
  store: string;
  bus: string;
  instances: { instance: string }[];
}
const sameNames = (status: SystemStatus, names: string[]) =>
  JSON.stringify(status.instances.map((i) => i.instance).sort()) === JSON.stringify(names);

/** Offsets must run first, first + 1, … with nothing missing or repeated. */
function expectContiguous(offsets: number[], first: number) {
  expect(offsets).toEqual(offsets.map((_, i) => first + i));
}

describe.skipIf(!backends.reachable)('scale-out: several server processes on PostgreSQL + Redis', () => {
  let cluster: Cluster;
  let users: SignedUp[];
  let channelCount = 0;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 3, presenceTtlMs: 1500 });
    // Signed up on different instances: one secret, so every token works everywhere.
    users = await Promise.all(Array.from({ length: 20 }, (_, i) => cluster.signup(`user${i}`, i % 3)));
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  /** system.status and /api/status are for admins: the first account to sign up. */
  const adminToken = () => (users.find((u) => u.user.role === 'admin') as SignedUp).token;

  /** A new public channel made by `owner` on node 0, joined by `members` (each on a node of its own). */
  async function freshChannel(owner: SignedUp, members: SignedUp[] = []): Promise<string> {
    const slug = `cluster-${++channelCount}`;
    const channel = await cluster.mutate<{ id: string }>(0, 'channel.create', owner.token, { slug, name: slug });
    await Promise.all(members.map((m, i) => cluster.mutate(i % 3, 'channel.join', m.token, { channelId: channel.id })));
    return channel.id;
  }

  /** The channel's current stream position, to subscribe from. */
  async function headOf(channelId: string, token: string): Promise<string> {
    const page = await cluster.query<{ eventId: string }>(0, 'message.history', token, { channelId, limit: 1 });
    return page.eventId;
  }

  /** Every message of the channel, oldest first (pages through history). */
  async function history(node: number, token: string, channelId: string): Promise<Message[]> {
    const all: Message[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await cluster.query<{ items: Message[]; nextCursor: number | null }>(
        node,
        'message.history',
        token,
        { channelId, limit: 100, ...(before ? { before } : {}) },
      );
      all.push(...page.items);
      if (page.nextCursor == null) break;
      before = page.nextCursor;
    }
    return all.reverse();
  }

  /** Subscribes `user` on `node` from `lastEventId`; resolves once the subscriber is live (greeted). */
  async function subscribe(node: number, user: SignedUp, channelId: string, lastEventId: string) {
    const client = cluster.client(node, user.token);
    const rec = recordChannel(client, channelId, lastEventId);
    await rec.until((e) => e.some((x) => x.data.type === 'presence'), 15_000);
    return { client, rec };
  }

  /** A send over plain HTTP; retried (same clientId: idempotent) while `retry(error)` says so. */
  async function send(
    node: number,
    user: SignedUp,
    channelId: string,
    content: string,
    retry: (error: unknown) => boolean = (error) =>
      error instanceof TrpcHttpError && error.code === 'TOO_MANY_REQUESTS',
  ): Promise<Message> {
    let refused: unknown = null;
    const sent = await vi.waitFor(
      async () => {
        try {
          return await cluster.mutate<Message>(node, 'message.send', user.token, {
            channelId,
            content,
            clientId: content,
          });
        } catch (error) {
          if (retry(error)) throw error; // vi.waitFor tries again
          refused = error;
          return null;
        }
      },
      { timeout: 20_000, interval: 50 },
    );
    if (!sent) throw refused;
    return sent;
  }

  /** Waits for `rec` to have as many message.created as `expected`, then checks every change it got since `first`. */
  async function expectExactly(rec: StreamRecorder, expected: Message[], first: number, timeoutMs = 15_000) {
    await rec.until((e) => created(e).length >= expected.length, timeoutMs);
    const changes = rec.changes();
    expectContiguous(
      changes.map((e) => offsetOf(e.id)),
      first,
    );
    expect(created(changes).map((e) => messageOf(e).id)).toEqual(expected.map((m) => m.id));
  }

  it('a client on each of 3 instances sees the messages sent to every instance, in the same offset order', async () => {
    await cluster.ensureAllRunning();
    const [u0, u1, u2] = users as [SignedUp, SignedUp, SignedUp];
    const channelId = await freshChannel(u0, [u1, u2]);
    const start = await headOf(channelId, u0.token);
    const subs = await Promise.all([u0, u1, u2].map((u, i) => subscribe(i, u, channelId, start)));

    // One message per instance, at the same time: the order is whatever the database decided.
    const sent = await Promise.all([u0, u1, u2].map((u, i) => send(i, u, channelId, `hello from node-${i}`)));
    const inOrder = [...sent].sort((a, b) => a.seq - b.seq);
    expect(inOrder.map((m) => m.seq)).toEqual([0, 1, 2].map((i) => (inOrder[0]?.seq ?? 0) + i));

    for (const { rec } of subs) await expectExactly(rec, inOrder, offsetOf(start) + 1);
    const ids = subs.map(({ rec }) => rec.changes().map((e) => e.id));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect((await history(1, u1.token, channelId)).map((m) => m.id)).toEqual(inOrder.map((m) => m.id));
  }, 45_000);

  it('a client disconnected from instance A resumes on instance B with its lastEventId: no gap, no duplicate', async () => {
    await cluster.ensureAllRunning();
    const [u0, u1, u2] = users as [SignedUp, SignedUp, SignedUp];
    const channelId = await freshChannel(u0, [u1, u2]);
    const start = await headOf(channelId, u0.token);

    const onA = await subscribe(0, u1, channelId, start);
    const m1 = await send(1, u1, channelId, 'm1 (before the disconnect)');
    await expectExactly(onA.rec, [m1], offsetOf(start) + 1);
    const lastSeen = onA.rec.changes().at(-1)?.id as string;
    onA.rec.stop();
    onA.client.close();

    // While it is away, from every instance.
    const missed = [
      await send(2, u2, channelId, 'm2 (away, via node-2)'),
      await send(0, u0, channelId, 'm3 (away, via node-0)'),
      await send(1, u1, channelId, 'm4 (away, via node-1)'),
    ];
    const onB = await subscribe(1, u1, channelId, lastSeen);
    await expectExactly(onB.rec, missed, offsetOf(lastSeen) + 1);
    // Then live on B.
    const m5 = await send(2, u2, channelId, 'm5 (live again, via node-2)');
    await expectExactly(onB.rec, [...missed, m5], offsetOf(lastSeen) + 1);
    expect(created(onA.rec.changes()).map((e) => messageOf(e).id)).toEqual([m1.id]);
  }, 45_000);

  it('concurrent sends on all instances make one gap-free offset sequence, and every subscriber gets exactly it', async () => {
    await cluster.ensureAllRunning();
    const senders = users.slice(0, 10);
    const [u0, u1, u2] = senders as [SignedUp, SignedUp, SignedUp];
    const channelId = await freshChannel(u0, senders.slice(1));
    const start = await headOf(channelId, u0.token);
    const subs = await Promise.all([u0, u1, u2].map((u, i) => subscribe(i, u, channelId, start)));

    // 3 instances × 10 users × 10 messages, all in flight at once over HTTP.
    const sends: Promise<Message>[] = [];
    for (let node = 0; node < 3; node++) {
      for (const [u, user] of senders.entries()) {
        for (let k = 0; k < 10; k++) sends.push(send(node, user, channelId, `burst n${node} u${u} #${k}`));
      }
    }
    const sent = await Promise.all(sends);
    expect(sent).toHaveLength(300);
    expect(new Set(sent.map((m) => m.id)).size).toBe(300);

    const stored = await history(2, u2.token, channelId);
    expect(stored).toHaveLength(300);
    expectContiguous(
      stored.map((m) => m.seq),
      offsetOf(start) + 1,
    );
    expect(new Set(stored.map((m) => m.id))).toEqual(new Set(sent.map((m) => m.id)));
    for (const m of sent) expect(stored[m.seq - offsetOf(start) - 1]?.id).toBe(m.id);

    for (const { rec } of subs) await expectExactly(rec, stored, offsetOf(start) + 1);
  }, 45_000);

  it('system.status on any instance lists all live instances', async () => {
    await cluster.ensureAllRunning();
    const names = cluster.nodes.map((n) => n.name).sort();
    for (const node of cluster.nodes) {
      const status = await cluster.query<SystemStatus>(node.index, 'system.status', adminToken());
      expect(status).toMatchObject({ instance: node.name, store: 'postgres', bus: 'redis' });
      // An instance announces itself every TTL / 3: wait for the list rather than assume its timing.
      await waitUntil(
        async () => sameNames(await cluster.query<SystemStatus>(node.index, 'system.status', adminToken()), names),
        10_000,
        `${node.name} to list ${names.join(', ')}`,
      );
      // The plain HTTP endpoint answers the same.
      const asAdmin = { headers: { authorization: `Bearer ${adminToken()}` } };
      const viaHttp = (await (await fetch(`${node.url}/api/status`, asAdmin)).json()) as SystemStatus;
      expect(viaHttp).toMatchObject({ instance: node.name, store: 'postgres', bus: 'redis' });
      expect(viaHttp.instances.map((i) => i.instance)).toContain(node.name);
    }
  }, 45_000);

  it('Redis connections killed mid-run: delivery resumes, and the store resync fills what the bus dropped', async () => {
    await cluster.ensureAllRunning();
    const members = users.slice(0, 6);
    const [u0, u1, u2] = members as [SignedUp, SignedUp, SignedUp];
    const channelId = await freshChannel(u0, members.slice(1));
    const start = await headOf(channelId, u0.token);
    const subs = await Promise.all([u0, u1, u2].map((u, i) => subscribe(i, u, channelId, start)));

    const named = await cluster.redisConnections();
    expect(named.filter((c) => c.name.includes(':bus-sub:'))).toHaveLength(3);
    expect(named.filter((c) => c.name.includes(':bus-pub:'))).toHaveLength(3);
    const reconnectsBefore = cluster.nodes.map((n) => n.log.filter((l) => l.includes('resyncing streams')).length);

    // Phase 1: the bus subscriber connections of every instance are killed again and again while
    // messages are sent; whatever Redis published meanwhile never reached those instances.
    let killed = 0;
    const phase1: Message[] = [];
    for (let i = 0; i < 30; i++) {
      killed += await cluster.killRedisConnections((name) => name.includes(':bus-sub:'));
      phase1.push(await send(i % 3, members[i % 6] as SignedUp, channelId, `sub-down ${i}`));
    }
    expect(killed).toBeGreaterThan(0);

    // Nothing else is sent: what the subscribers are missing can only come from the resync.
    const stored1 = await history(0, u0.token, channelId);
    expect(stored1.map((m) => m.id)).toEqual(phase1.map((m) => m.id));
    for (const { rec } of subs) await expectExactly(rec, stored1, offsetOf(start) + 1);
    // Each instance lost its subscription and came back through the resync (its log says so).
    for (const [i, node] of cluster.nodes.entries()) {
      await waitUntil(
        () => node.log.filter((l) => l.includes('resyncing streams')).length > (reconnectsBefore[i] ?? 0),
        10_000,
        `${node.name} to resync after its bus came back`,
      );
    }

    // Phase 2: every bus connection, publishers too. A send whose publish fails answers an error
    // although its message is committed; the client retries with the same clientId and gets the
    // stored message back (no duplicate).
    const phase2: Message[] = [];
    for (let i = 0; i < 30; i++) {
      killed += await cluster.killRedisConnections();
      phase2.push(await send(i % 3, members[i % 6] as SignedUp, channelId, `all-down ${i}`, () => true));
    }
    await waitUntil(
      async () => {
        const ready = await Promise.all(cluster.nodes.map((n) => fetch(`${n.url}/readyz`).then((r) => r.ok)));
        return ready.every(Boolean) && (await cluster.redisConnections()).length === 6;
      },
      10_000,
      'every instance to be ready with its bus connections back',
    );
    // Delivery resumes: a message sent now reaches everyone live. It is needed here: such a retry
    // is not published again, so a committed message whose publish failed reaches the other
    // instances' subscribers only through a resync of theirs or the gap the next event reveals.
    const after = await send(1, u1, channelId, 'after the storm');
    const stored2 = await history(0, u0.token, channelId);
    expect(stored2.map((m) => m.id)).toEqual([...phase1, ...phase2, after].map((m) => m.id));
    for (const { rec } of subs) await expectExactly(rec, stored2, offsetOf(start) + 1);
  }, 45_000);

  it('kill -9 of an instance during a burst loses no acknowledged message; its client resumes on a survivor', async () => {
    await cluster.ensureAllRunning();
    const victim = 2;
    const members = users.slice(10, 19);
    const [a, b, c] = members as [SignedUp, SignedUp, SignedUp];
    const channelId = await freshChannel(a, members.slice(1));
    const start = await headOf(channelId, a.token);
    const subs = await Promise.all([a, b, c].map((u, i) => subscribe(i, u, channelId, start)));

    interface Attempt {
      node: number;
      content: string;
      message?: Message;
      error?: unknown;
    }
    const attempts: Attempt[] = [];
    const acked = () => attempts.filter((x) => x.message).length;
    // Per instance 3 senders, 20 messages each, one after the other.
    const workers = [0, 1, 2].flatMap((node) =>
      [0, 1, 2].map(async (w) => {
        const user = members[node * 3 + w] as SignedUp;
        for (let k = 0; k < 20; k++) {
          const attempt: Attempt = { node, content: `n${node} w${w} #${k}` };
          attempts.push(attempt);
          try {
            attempt.message = await send(node, user, channelId, attempt.content);
          } catch (error) {
            attempt.error = error;
          }
        }
      }),
    );
    await waitUntil(() => acked() >= 40, 20_000, '40 acknowledged sends');
    await cluster.kill(victim);
    await Promise.all(workers);

    const onVictim = attempts.filter((x) => x.node === victim);
    expect(onVictim.some((x) => x.message)).toBe(true);
    expect(onVictim.some((x) => x.error)).toBe(true);
    // The survivors' senders carried on.
    expect(attempts.filter((x) => x.node !== victim).every((x) => x.message)).toBe(true);

    const stored = await history(0, a.token, channelId);
    const storedIds = stored.map((m) => m.id);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    for (const x of attempts) if (x.message) expect(storedIds).toContain(x.message.id);
    // Nothing appears that was not sent (an unanswered send may or may not have been committed).
    const contents = new Set(attempts.map((x) => x.content));
    expect(stored.every((m) => contents.has(m.content))).toBe(true);
    expectContiguous(
      stored.map((m) => m.seq),
      offsetOf(start) + 1,
    );

    // Subscribers on the survivors got everything.
    for (const { rec } of subs.slice(0, 2)) await expectExactly(rec, stored, offsetOf(start) + 1);

    // The victim's client resumes on a survivor from the last event it got there.
    const dead = subs[victim] as { client: HubbubClient; rec: StreamRecorder };
    const before = dead.rec.changes();
    dead.rec.stop();
    dead.client.close();
    const lastSeen = before.at(-1)?.id ?? start;
    const resumed = await subscribe(0, c, channelId, lastSeen);
    await resumed.rec.until((e) => created(e).length >= stored.length - created(before).length, 15_000);
    const joined = [...before, ...resumed.rec.changes()];
    expectContiguous(
      joined.map((e) => offsetOf(e.id)),
      offsetOf(start) + 1,
    );
    expect(created(joined).map((e) => messageOf(e).id)).toEqual(storedIds);

    // It comes back and takes part again.
    await cluster.restart(victim);
    const back = await send(victim, c, channelId, 'node-2 is back');
    for (const { rec } of [...subs.slice(0, 2), resumed]) {
      await rec.until((e) => created(e).some((x) => messageOf(x).id === back.id));
    }
  }, 45_000);

  it('presence spans instances, and a killed instance and its users drop out after the TTL', async () => {
    await cluster.ensureAllRunning();
    const [x, y, z] = users.slice(16, 19) as [SignedUp, SignedUp, SignedUp];
    const ids = [x, y, z].map((u) => u.user.id);
    const channelId = await freshChannel(x, [y, z]);
    const start = await headOf(channelId, x.token);
    // Each user subscribed on one instance only.
    const subs = await Promise.all([x, y, z].map((u, i) => subscribe(i, u, channelId, start)));

    type Member = { userId: string; online: boolean };
    /** Who channel.members on `node` says is online. */
    const online = async (node: number, viewer: SignedUp) => {
      const members = await cluster.query<Member[]>(node, 'channel.members', viewer.token, { channelId });
      return members
        .filter((m) => m.online)
        .map((m) => m.userId)
        .sort();
    };
    // channel.members on any instance counts users subscribed on the others.
    for (const [node, viewer] of [x, y, z].entries()) {
      await waitUntil(
        async () => JSON.stringify(await online(node, viewer)) === JSON.stringify([...ids].sort()),
        10_000,
        `node-${node} to see all three online`,
      );
    }
    const onX = subs[0]?.rec as StreamRecorder;
    const presence = (e: Received) => (e.data.type === 'presence' ? [...(e.data.online as string[])].sort() : null);
    await onX.until((e) => e.some((p) => JSON.stringify(presence(p)) === JSON.stringify([...ids].sort())), 10_000);

    await cluster.kill(2);
    const survivors = [x.user.id, y.user.id].sort();
    for (const [node, viewer] of [x, y].entries()) {
      await waitUntil(
        async () => JSON.stringify(await online(node, viewer)) === JSON.stringify(survivors),
        15_000,
        `node-${node} to drop the killed instance's user`,
      );
    }
    // The live subscriber on node-0 is told too.
    await onX.until((e) => e.some((p) => JSON.stringify(presence(p)) === JSON.stringify(survivors)), 15_000);
    // And the instance itself leaves the cluster's list.
    for (const node of [0, 1]) {
      await waitUntil(
        async () =>
          sameNames(await cluster.query<SystemStatus>(node, 'system.status', adminToken()), ['node-0', 'node-1']),
        15_000,
        `node-${node} to drop node-2 from system.status`,
      );
    }
  }, 45_000);

  it('a stop reaches an assistant reply streaming on another instance, a cancel a worker connected to another', async () => {
    await cluster.ensureAllRunning();
    const asker = users[1] as SignedUp;
    const channelId = await freshChannel(asker);
    await cluster.mutate(0, 'message.send', asker.token, { channelId, content: '@assistant help' });
    type Msg = { id: string; role: string; status: string; content: string };
    let reply: Msg | undefined;
    await waitUntil(
      async () => {
        const page = await cluster.query<{ items: Msg[] }>(1, 'message.history', asker.token, { channelId });
        reply = page.items.find((m) => m.role === 'assistant');
        return reply?.status === 'streaming';
      },
      10_000,
      'the reply to start streaming on node 0',
    );
    const stopped = await cluster.mutate<Msg>(2, 'message.cancel', asker.token, { messageId: reply?.id });
    expect(stopped.status).toBe('cancelled');

    const admin = users.find((u) => u.user.role === 'admin') as SignedUp;
    const { key } = await cluster.mutate<{ key: string }>(0, 'apiKey.create', admin.token, {
      name: 'cluster-agent',
      role: 'agent',
    });
    let aborted = false;
    const worker = runWorker({
      url: cluster.nodes[1]?.url as string,
      key,
      agent: 'cluster-agent',
      handle: (_task, ctx) =>
        new Promise((resolve) => {
          ctx.progress(1, { step: 'waiting' }).catch(() => {});
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(null);
          });
        }),
    });
    try {
      const task = await cluster.mutate<{ id: string }>(0, 'task.create', admin.token, {
        title: 'long job',
        agent: 'cluster-agent',
      });
      await waitUntil(
        async () =>
          (await cluster.query<{ task: { status: string } }>(2, 'task.byId', admin.token, { id: task.id })).task
            .status === 'in_progress',
        10_000,
        'the worker on node 1 to claim the task',
      );
      await cluster.mutate(2, 'task.cancel', admin.token, { id: task.id });
      await waitUntil(async () => aborted, 10_000, "the cancel to reach the worker's signal");
    } finally {
      await worker.stop();
    }
  }, 40_000);
});
