/**
 * The same attacks against a cluster (three processes on PostgreSQL + Redis):
 * a revocation or a logout on one instance ends the credentials on every
 * instance at once, and a user's limits are one budget wherever they call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, probeBackends, type SignedUp, startCluster, TrpcHttpError } from '../test/cluster';
import { errorCode, type RawSocket, rawSocket } from '../test/raw-socket';

const backends = await probeBackends();
if (!backends.reachable) console.warn(`Skipping the cluster security tests: ${backends.reason}`);

describe.skipIf(!backends.reachable)('credentials and limits across a cluster', () => {
  let cluster: Cluster;
  let admin: SignedUp;
  let generalId: string;

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 3,
      env: {
        HUBBUB_WRITE_BURST: '6',
        HUBBUB_WRITES_PER_SECOND: '0.01',
        HUBBUB_LOGIN_ATTEMPTS_PER_HANDLE: '4',
      },
    });
    admin = await cluster.signup('boss', 0);
    const list = await cluster.query<{ items: { id: string; slug: string }[] }>(0, 'channel.list', admin.token);
    generalId = list.items.find((c) => c.slug === 'general')?.id as string;
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  const socketOn = (node: number, token: string) =>
    rawSocket(`${cluster.nodes[node]?.url.replace('http', 'ws')}/ws?token=${token}`);

  async function subscribed(node: number, token: string, path: string, input: unknown): Promise<RawSocket> {
    const socket = await socketOn(node, token);
    socket.ws.send(JSON.stringify({ id: 1, method: 'subscription', params: { path, input } }));
    await socket.frame((f) => f.id === 1 && (f.result as { type?: string })?.type === 'started', 10_000);
    return socket;
  }

  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => (error instanceof TrpcHttpError ? { status: error.status, code: error.code } : error),
    );

  it('revoking an API key on one instance closes its streams on the others and refuses it everywhere', async () => {
    const { key, apiKey } = await cluster.mutate<{ key: string; apiKey: { id: string } }>(
      0,
      'apiKey.create',
      admin.token,
      {
        name: 'builder',
        role: 'agent',
      },
    );
    const channelStream = await subscribed(1, key, 'channel.onEvent', { channelId: generalId });
    const taskStream = await subscribed(2, key, 'task.onEvent', {});
    expect(await refusal(cluster.mutate(2, 'auth.refresh', key, null))).toMatchObject({ code: 'BAD_REQUEST' });

    await cluster.mutate(0, 'apiKey.revoke', admin.token, { id: apiKey.id });

    for (const stream of [channelStream, taskStream]) {
      expect(await stream.closed).toEqual({ code: 4401, reason: 'this API key was revoked' });
    }
    for (const node of [0, 1, 2]) {
      expect(await refusal(cluster.query(node, 'auth.me', key))).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
    const late = await socketOn(2, key);
    expect(errorCode(await late.frame((f) => f.id === null))).toBe('UNAUTHORIZED');
    expect((await late.closed).code).toBe(4401);
  });

  it('a logout on one instance ends the token and its sockets on every instance', async () => {
    const alice = await cluster.signup('alice', 1);
    const stream = await subscribed(2, alice.token, 'channel.onEvent', { channelId: generalId });
    await cluster.mutate(0, 'auth.logout', alice.token, null);
    expect(await stream.closed).toEqual({ code: 4401, reason: 'you logged out' });
    for (const node of [0, 1, 2]) {
      expect(await refusal(cluster.query(node, 'auth.me', alice.token))).toMatchObject({ status: 401 });
    }
  });

  it('counts one user’s writes on all instances as one budget', async () => {
    const bob = await cluster.signup('bob', 2);
    const sends = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        refusal(cluster.mutate(i % 3, 'message.send', bob.token, { channelId: generalId, content: `write ${i}` })),
      ),
    );
    expect(sends.filter((s) => s === null)).toHaveLength(6);
    expect(sends.filter((s) => s !== null)).toEqual(Array(3).fill({ status: 429, code: 'TOO_MANY_REQUESTS' }));
  });

  it('counts guesses at one handle on all instances together', async () => {
    await cluster.signup('carol', 0);
    const guess = (node: number) =>
      refusal(cluster.mutate(node, 'auth.login', '', { handle: 'carol', password: 'not the password' }));
    const answers = [];
    for (const node of [0, 1, 2, 0, 1]) answers.push(await guess(node));
    expect(answers.slice(0, 4)).toEqual(Array(4).fill({ status: 401, code: 'UNAUTHORIZED' }));
    expect(answers[4]).toEqual({ status: 429, code: 'TOO_MANY_REQUESTS' });
  });
});
