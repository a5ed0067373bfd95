import type WebSocket from 'ws';
import { publish, SubscriberPool, sleep, waitForCount, waitUntil } from './load';
import { hubbubAccount, open, type Publisher, protocols, type Session, signUp } from './protocols';
import { type ServerKind, type ServerProcess, startServer, untilQuiet } from './server-process';
import { SseSubscriberPool } from './sse-load';
import { cpuPerDelivery, gapsAndDuplicates, rssPerConnection, summarize } from './stats';

export const BODY = process.env.BENCH_BODY_BYTES
  ? 'x'.repeat(Number(process.env.BENCH_BODY_BYTES))
  : 'The quick brown fox jumps over the lazy dog while the team ships the release notes on time. ';

export interface FanoutResult {
  server: ServerKind;
  subscribers: number;
  messages: number;
  rate: number;
  cpuUsPerDelivery: number;
  /** The load client's own CPU per delivery: if it is near the server's, latency is the client's. */
  clientCpuUsPerDelivery: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  expected: number;
  /** CPU µs per delivery of each round, in order, when the server ran several (the row is the median round's). */
  rounds?: number[];
  /** Messages sent where no subscriber hears them before the run (`--warm-up`), when any were. */
  warmUp?: number;
}

/** What the fan-out measurement needs of a pool of subscribers (WebSocket or SSE). */
interface DeliveryPool {
  delivered: number;
  latencies: number[];
  reset(): void;
  close(): void;
}

/** N subscribers in one channel, M messages at R per second: server CPU per delivery, latency, completeness. */
export async function fanout(
  kind: ServerKind,
  subscribers: number,
  messages: number,
  rate: number,
  warmUp = 0,
): Promise<FanoutResult> {
  const server = await startServer(kind);
  try {
    const session = await protocols[kind].setup(server.port);
    const pool = new SubscriberPool(session);
    await pool.connect(subscribers);
    const quiet = warmUp > 0 ? session.warmUp : undefined;
    if (quiet) await sendUnheard(server, quiet, warmUp);
    const result = await measureFanout(server, session, pool, subscribers, messages, rate);
    return { server: kind, ...result, ...(quiet ? { warmUp } : {}) };
  } finally {
    await server.stop();
  }
}

/** How fast a warm-up sends: a message costs the server about a millisecond then (no fan-out). */
export const WARM_UP_RATE = 200;

/**
 * Sends `count` messages at `perSecond` through `quiet` (the session's publisher that no subscriber hears), then
 * waits for the server to go idle. As a warm-up, the per-message path (receive, validate, store, acknowledge)
 * then runs the code V8 optimized after thousands of calls, as a server that has been up a while does, rather
 * than what it runs in its first seconds.
 */
export async function sendUnheard(
  server: ServerProcess,
  quiet: Publisher,
  count: number,
  perSecond = WARM_UP_RATE,
): Promise<void> {
  await publish(quiet, count, perSecond, BODY, () => sleep(1000));
  await untilQuiet(server);
}

/** Warms up (JIT, buffers), then publishes `messages` at `rate` to a connected pool and measures from a clean slate. */
async function measureFanout(
  server: ServerProcess,
  session: Session,
  pool: DeliveryPool,
  subscribers: number,
  messages: number,
  rate: number,
): Promise<Omit<FanoutResult, 'server'>> {
  // However long the warm-up's backlog takes (SSE; the stock adapter at 5,000), its CPU must not land in the
  // figures: wait for all of it (or until it stops coming), then for the server to go idle.
  await publish(session, 50, rate, BODY, () =>
    waitForCount(() => pool.delivered, 50 * subscribers, { stallMs: 30_000, timeoutMs: 120_000 }),
  );
  await untilQuiet(server);
  pool.reset();
  const cpu0 = server.cpuSeconds();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const expected = messages * subscribers;
  await publish(session, messages, rate, BODY, () => waitUntil(() => pool.delivered >= expected, 10_000));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = server.cpuSeconds() - cpu0;
  const client = process.cpuUsage(client0);
  const latency = summarize(pool.latencies);
  pool.close();
  return {
    subscribers,
    messages,
    rate,
    cpuUsPerDelivery: cpuPerDelivery(cpu, pool.delivered),
    clientCpuUsPerDelivery: cpuPerDelivery((client.user + client.system) / 1e6, pool.delivered),
    deliveriesPerSecond: pool.delivered / seconds,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
    delivered: pool.delivered,
    expected,
  };
}

/** Streams one bench user holds: well under the server's default cap per person (100), so no server setting changes. */
export const SSE_STREAMS_PER_USER = 50;

export interface SseFanoutResult extends FanoutResult {
  /** Streams the server ended or cut, warm-up included (a stream that falls behind is cut, to resume later). */
  streamsEnded: number;
}

/**
 * Hubbub's fan-out over Server-Sent Events (tRPC's httpSubscriptionLink
 * format): N subscribers each hold `GET /trpc/channel.onEvent` open, the
 * publisher sends over WebSocket as in `fanout`. Compare with Hubbub's
 * WebSocket fan-out of the same size and rate from the same run.
 */
export async function sseFanout(subscribers: number, messages: number, rate: number): Promise<SseFanoutResult> {
  const server = await startServer('hubbub');
  try {
    const session = await protocols.hubbub.setup(server.port);
    const users = Math.ceil(subscribers / SSE_STREAMS_PER_USER);
    const prefix = `sse${Date.now() % 1e9}`;
    const tokens = [];
    for (let i = 0; i < users; i++) tokens.push(await signUp(server.port, `${prefix}-${i}`));
    const input = encodeURIComponent(JSON.stringify({ channelId: session.channelId }));
    const pool = new SseSubscriberPool(
      `http://127.0.0.1:${server.port}/trpc/channel.onEvent?input=${input}`,
      tokens,
      subscribers,
    );
    await pool.connect(subscribers);
    const measured = await measureFanout(server, session, pool, subscribers, messages, rate);
    return { server: 'hubbub', ...measured, streamsEnded: pool.ended };
  } finally {
    await server.stop();
  }
}

export interface MemoryResult {
  server: ServerKind;
  connections: number;
  kbPerConnection: number;
}

/** Resident memory per connection holding one subscription. */
export async function memory(kind: ServerKind, connections: number): Promise<MemoryResult> {
  const server = await startServer(kind);
  try {
    const session = await protocols[kind].setup(server.port);
    const pool = new SubscriberPool(session);
    await pool.connect(10);
    await sleep(1000);
    await server.collectGarbage();
    const before = server.rss();
    await pool.connect(connections, 100);
    await sleep(2000);
    await server.collectGarbage();
    const after = server.rss();
    pool.close();
    return { server: kind, connections, kbPerConnection: rssPerConnection(before, after, connections) };
  } finally {
    await server.stop();
  }
}

export interface SlowConsumerResult {
  server: ServerKind;
  rssGrowthMb: number;
  /** The same run without the slow client: what the load itself costs. */
  rssGrowthBaselineMb: number;
  slowClientFate: string;
  othersP99: number;
  othersP99Baseline: number;
  missingAfterResume: number | null;
}

/**
 * One subscriber stops reading while the others keep receiving: what the
 * server's memory does, what happens to the slow client, what the others feel,
 * and (Hubbub) whether the slow client loses anything once it resumes.
 */
export async function slowConsumer(
  kind: ServerKind,
  subscribers: number,
  messages: number,
  rate: number,
  bodyBytes: number,
): Promise<SlowConsumerResult> {
  const body = 'x'.repeat(bodyBytes);
  const baseline = await othersUnderLoad(kind, subscribers, messages, rate, body, false);
  const loaded = await othersUnderLoad(kind, subscribers, messages, rate, body, true);
  return { ...loaded, othersP99Baseline: baseline.othersP99, rssGrowthBaselineMb: baseline.rssGrowthMb };
}

async function othersUnderLoad(
  kind: ServerKind,
  subscribers: number,
  messages: number,
  rate: number,
  body: string,
  withSlow: boolean,
): Promise<SlowConsumerResult> {
  const server = await startServer(kind);
  try {
    const session = await protocols[kind].setup(server.port);
    const pool = new SubscriberPool(session);
    await pool.connect(subscribers - 1);
    let slow: WebSocket | null = null;
    let fate = 'n/a';
    let lastId: string | undefined;
    const seqs: number[] = [];
    if (withSlow) {
      slow = await open(session.subscriberUrl);
      for (const frame of session.subscribeFrames) slow.send(frame);
      slow.on('message', (data: Buffer) => {
        const frame = data.toString();
        for (const reply of session.respond?.(frame, 'subscriber') ?? []) slow?.send(reply);
        const tracked = /"result":\{"type":"data","id":"([^"]+)"/.exec(frame);
        if (tracked && frame.includes('"message.created"')) {
          lastId = tracked[1];
          const seq = /"seq":(\d+)/.exec(frame);
          if (seq) seqs.push(Number(seq[1]));
        }
      });
      slow.on('close', (code) => {
        fate = `closed ${code}`;
      });
      await sleep(300);
      // Stop reading: kernel buffers fill first, then the server's.
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      fate = 'never closed';
    }
    const rss0 = server.rss();
    let rssMax = rss0;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, server.rss());
    }, 100);
    await publish(session, messages, rate, body, () =>
      waitUntil(() => pool.delivered >= messages * (subscribers - 1), 10_000),
    );
    clearInterval(sampler);
    const others = summarize(pool.latencies);
    let missing: number | null = null;
    if (slow) {
      (slow as unknown as { _socket: { resume(): void } })._socket.resume();
      await waitUntil(() => fate.startsWith('closed'), 10_000);
      if (kind === 'hubbub' && session.channelId) missing = await resumeAndCount(session, lastId, seqs, messages);
      slow.terminate();
    }
    pool.close();
    return {
      server: kind,
      rssGrowthMb: (rssMax - rss0) / 1024 / 1024,
      rssGrowthBaselineMb: Number.NaN,
      slowClientFate: fate,
      othersP99: others.p99,
      othersP99Baseline: Number.NaN,
      missingAfterResume: missing,
    };
  } finally {
    await server.stop();
  }
}

/** Reconnects like a client does (lastEventId) and counts messages never received. */
async function resumeAndCount(
  session: Awaited<ReturnType<(typeof protocols)['hubbub']['setup']>>,
  lastEventId: string | undefined,
  seqs: number[],
  messages: number,
): Promise<number> {
  const ws = await open(session.subscriberUrl);
  ws.on('message', (data: Buffer) => {
    const frame = data.toString();
    const seq = /"seq":(\d+)/.exec(frame);
    if (seq && frame.includes('"message.created"')) seqs.push(Number(seq[1]));
  });
  ws.send(
    JSON.stringify({
      id: 1,
      method: 'subscription',
      params: { path: 'channel.onEvent', input: { channelId: session.channelId, lastEventId } },
    }),
  );
  await waitUntil(() => new Set(seqs).size >= messages, 15_000);
  ws.terminate();
  // In a fresh channel offset 1 is the creator joining; message n has offset n + 1.
  const { missing } = gapsAndDuplicates(
    seqs.map((s) => s - 1),
    messages,
  );
  return missing;
}

/** Where the persistence run stores its messages. */
export type PersistenceDatabase = 'sqlite' | 'postgres';

export interface PersistenceRun {
  database: PersistenceDatabase;
  clients: number;
  seconds: number;
  messagesPerSecond: number;
  ackP50: number;
  ackP99: number;
  /** Server CPU per stored message: steadier than the rate when the load client shares the cores. */
  cpuUsPerMessage: number;
  gapFree: boolean;
}

/** The persistence runs of one bench run (SQLite, and PostgreSQL when it answers). */
export interface PersistenceResult {
  runs: PersistenceRun[];
  /** Why the PostgreSQL run is missing, when it is. */
  postgresSkipped?: string;
}

/**
 * Messages sent over WebSocket and stored, as fast as `clients` senders go (each waits for its ack): into the
 * server's SQLite, or into the PostgreSQL database at `databaseUrl`.
 */
export async function persistence(clients: number, seconds: number, databaseUrl?: string): Promise<PersistenceRun> {
  const server = await startServer('hubbub', databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {});
  try {
    const { token, channelId } = await hubbubAccount(server.port);
    const acks: number[] = [];
    const seqs: number[] = [];
    const cpuBefore = server.cpuSeconds();
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, sender) => {
        const ws = await open(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
        let id = 0;
        while (performance.now() < end) {
          const sentAt = performance.now();
          const callId = ++id;
          const reply = new Promise<string>((resolve) => {
            const onMessage = (data: Buffer) => {
              const frame = data.toString();
              if (frame.startsWith(`{"id":${callId},`)) {
                ws.off('message', onMessage);
                resolve(frame);
              }
            };
            ws.on('message', onMessage);
          });
          ws.send(
            JSON.stringify({
              id: callId,
              method: 'mutation',
              // With a clientId, as the web app sends every message (the store checks it is not a retry).
              params: {
                path: 'message.send',
                input: { channelId, content: `stored ${callId}`, clientId: `bench-${sender}-${callId}` },
              },
            }),
          );
          const frame = await reply;
          acks.push(performance.now() - sentAt);
          const seq = /"seq":(\d+)/.exec(frame);
          if (seq) seqs.push(Number(seq[1]));
        }
        ws.close();
      }),
    );
    const cpuUsPerMessage = ((server.cpuSeconds() - cpuBefore) * 1e6) / acks.length;
    const latency = summarize(acks);
    const sorted = [...seqs].sort((a, b) => a - b);
    const gapFree = sorted.every((s, i) => i === 0 || s === (sorted[i - 1] as number) + 1);
    return {
      database: databaseUrl ? 'postgres' : 'sqlite',
      clients,
      seconds,
      messagesPerSecond: acks.length / seconds,
      ackP50: latency.p50,
      ackP99: latency.p99,
      cpuUsPerMessage,
      gapFree,
    };
  } finally {
    await server.stop();
  }
}

export interface DeltaResult {
  subscribers: number;
  replies: number;
  modelChunksPerSecond: number;
  framesPerSecondPerSubscriber: number;
}

/** A fast model streaming to many subscribers: how many frames each one gets (the coalescing). */
export async function assistantDeltas(
  subscribers: number,
  replies: number,
  chunksPerReply = 20_000,
): Promise<DeltaResult> {
  const server = await startServer('hubbub', { BENCH_FAST_MODEL: String(chunksPerReply) });
  try {
    const session = await protocols.hubbub.setup(server.port);
    const pool = new SubscriberPool(session);
    await pool.connect(subscribers);
    let frames = 0;
    let streamingMs = 0;
    const watcher = await open(session.subscriberUrl);
    let finished = 0;
    watcher.on('message', (data: Buffer) => {
      const frame = data.toString();
      if (frame.includes('"message.updated"') && frame.includes('"status":"complete"')) finished++;
    });
    watcher.send(session.subscribeFrames[0] as string);
    for (const ws of pool.sockets) {
      ws.on('message', (data: Buffer) => {
        if (data.includes('"message.delta"')) frames++;
      });
    }
    await sleep(300);
    const publisher = await open(session.publisherUrl);
    for (let i = 0; i < replies; i++) {
      const t0 = performance.now();
      publisher.send(session.publishFrame(i, 0, '@assistant stream').replace('ts=0 ', ''));
      await waitUntil(() => finished > i, 60_000);
      streamingMs += performance.now() - t0;
    }
    publisher.close();
    watcher.close();
    pool.close();
    const seconds = streamingMs / 1000;
    return {
      subscribers,
      replies,
      modelChunksPerSecond: (chunksPerReply * replies) / seconds,
      framesPerSecondPerSubscriber: frames / subscribers / seconds,
    };
  } finally {
    await server.stop();
  }
}
