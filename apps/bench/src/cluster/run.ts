/** One setup of `pnpm bench:cluster`: its instances, a channel, subscribers spread over them, posters on the first. */
import { publish, SubscriberPool, sleep, waitUntil } from '../load';
import type { Session } from '../protocols';
import { type ServerProcess, startServer } from '../server-process';
import { cpuPerDelivery, summarize } from '../stats';

export interface SetupSpec {
  label: string;
  instances: number;
  /** Environment of every instance (PostgreSQL and Redis, or nothing: the embedded SQLite). */
  env: Record<string, string>;
}

export interface LoadSpec {
  subscribers: number;
  /** People posting, each on their own connection to the first instance, at rate / posters. */
  posters: number;
  /** Messages per second, all posters together. */
  rate: number;
  /** Measured messages, all posters together. */
  messages: number;
  /** Where the posters are: all on the first instance, or spread over the instances (their publishes cross). */
  postersOn: 'first' | 'all';
}

export interface SetupResult {
  label: string;
  instances: number;
  rate: number;
  p50: number;
  p99: number;
  /** All instances' user+system CPU over the measured messages, per delivery. */
  cpuUsPerDelivery: number;
  /** CPU seconds of each instance over the measured messages (the first holds the posters). */
  cpuSecondsPerInstance: number[];
  delivered: number;
  expected: number;
  /** Sends answered with an error (the first one's frame in `firstRefusal`). */
  refused: number;
  firstRefusal: string | null;
  /** Subscribers the server closed during the run, by close code. */
  closed: Record<number, number>;
  /** PostgreSQL transactions over the whole setup (main.ts reads them once the instances have exited). */
  databaseTransactions?: number;
}

const BODY = 'The quick brown fox jumps over the lazy dog while the team ships the release notes on time. ';
const WARMUP_PER_POSTER = 4;

interface Caller {
  call<T>(path: string, input: unknown): Promise<T>;
  token: string;
}

/** A signed-up bench person on `port`, calling tRPC mutations over HTTP. */
async function person(port: number, handle: string): Promise<Caller> {
  const post = async <T>(path: string, input: unknown, token?: string): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${port}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(input),
    });
    const json = (await res.json()) as { result?: { data: T }; error?: unknown };
    if (!json.result) throw new Error(`${path}: ${JSON.stringify(json.error)}`);
    return json.result.data;
  };
  const { token } = await post<{ token: string }>('auth.signup', { handle, password: 'bench-password' });
  return { token, call: (path, input) => post(path, input, token) };
}

const wsUrl = (port: number, token: string) => `ws://127.0.0.1:${port}/ws?token=${token}`;

/** What a subscriber of `channelId` on `port` sends and waits for (the presence greeting ends the replay). */
function subscriberSession(port: number, token: string, channelId: string): Session {
  return {
    label: 'channel.onEvent',
    subscriberUrl: wsUrl(port, token),
    subscribeFrames: [
      JSON.stringify({ id: 1, method: 'subscription', params: { path: 'channel.onEvent', input: { channelId } } }),
    ],
    isSubscribed: (frame) => frame.includes('"presence"'),
    publisherUrl: wsUrl(port, token),
    publisherOpenFrames: [],
    publishFrame: () => '',
  };
}

/**
 * A poster of `channelId` on `port`: message.send over its own WebSocket, stamped `ts=` for the subscribers.
 * `refused` is told of every send answered with an error.
 */
function posterSession(port: number, token: string, channelId: string, refused: (frame: string) => void): Session {
  return {
    ...subscriberSession(port, token, channelId),
    respond: (frame, role) => {
      if (role === 'publisher' && frame.includes('"error"')) refused(frame);
      return [];
    },
    publishFrame: (n, ts, body) =>
      JSON.stringify({
        id: n + 10,
        method: 'mutation',
        params: { path: 'message.send', input: { channelId, content: `ts=${ts} ${body}` } },
      }),
  };
}

/** Runs `load` against a fresh `setup` and stops its instances. */
export async function runSetup(setup: SetupSpec, load: LoadSpec): Promise<SetupResult> {
  const servers: ServerProcess[] = [];
  // One after the other: the first applies the migrations to a fresh database.
  for (let i = 0; i < setup.instances; i++) servers.push(await startServer('hubbub', setup.env));
  const pools: SubscriberPool[] = [];
  try {
    const first = servers[0] as ServerProcess;
    const run = Math.random().toString(36).slice(2, 8);
    const owner = await person(first.port, `owner${run}`);
    const channel = await owner.call<{ id: string }>('channel.create', { slug: `cluster-${run}`, name: 'Cluster' });
    const reader = await person(first.port, `reader${run}`);
    await reader.call('channel.join', { channelId: channel.id });
    let refused = 0;
    let firstRefusal: string | null = null;
    const onRefused = (frame: string) => {
      refused++;
      firstRefusal ??= frame;
    };
    const posters: Session[] = [];
    for (let i = 0; i < load.posters; i++) {
      const poster = await person(first.port, `poster${i}${run}`);
      await poster.call('channel.join', { channelId: channel.id });
      const on = (load.postersOn === 'all' ? servers[i % servers.length] : first) as ServerProcess;
      posters.push(posterSession(on.port, poster.token, channel.id, onRefused));
    }

    // A subscriber the server closes (4008: too slow) gets nothing more: the run says so.
    const closedBy = new Map<number, number>();
    const perInstance = Math.floor(load.subscribers / setup.instances);
    for (const server of servers) {
      const pool = new SubscriberPool(subscriberSession(server.port, reader.token, channel.id));
      pools.push(pool);
      await pool.connect(perInstance);
      for (const ws of pool.sockets) ws.once('close', (code) => closedBy.set(code, (closedBy.get(code) ?? 0) + 1));
    }
    const connected = perInstance * setup.instances;
    const delivered = () => pools.reduce((n, p) => n + p.delivered, 0);
    const perPosterRate = load.rate / load.posters;
    const postAll = (perPoster: number, expected: number, timeoutMs: number) =>
      Promise.all(
        posters.map((poster, i) =>
          // Staggered within the period, as independent people would be.
          sleep((i * 1000) / load.rate).then(() =>
            publish(poster, perPoster, perPosterRate, BODY, () => waitUntil(() => delivered() >= expected, timeoutMs)),
          ),
        ),
      );

    await postAll(WARMUP_PER_POSTER, WARMUP_PER_POSTER * load.posters * connected, 15_000);
    await sleep(300);
    for (const pool of pools) pool.reset();

    const perPoster = Math.ceil(load.messages / load.posters);
    const expected = perPoster * load.posters * connected;
    const cpu0 = servers.map((s) => s.cpuSeconds());
    await postAll(perPoster, expected, 15_000);
    const cpu = servers.map((s, i) => s.cpuSeconds() - (cpu0[i] as number));
    const latency = summarize(pools.flatMap((p) => p.latencies));
    return {
      label: setup.label,
      instances: setup.instances,
      rate: load.rate,
      p50: latency.p50,
      p99: latency.p99,
      cpuUsPerDelivery: cpuPerDelivery(
        cpu.reduce((a, b) => a + b, 0),
        delivered(),
      ),
      cpuSecondsPerInstance: cpu,
      delivered: delivered(),
      expected,
      refused,
      firstRefusal,
      closed: Object.fromEntries(closedBy),
    };
  } finally {
    for (const pool of pools) pool.close();
    for (const server of servers) await server.stop();
  }
}
