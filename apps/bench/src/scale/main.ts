/**
 * `pnpm bench:scale`: issue 16's "Scale" targets. For raw `ws` and Hubbub in the same run: N subscribed
 * connections on one server process, opened by several load processes (each process may hold at most
 * 20,000 file descriptors, the server too: so N is 19,500 by default, not 20,000), each from its own
 * loopback address. Measured: connect+subscribe rate (Hubbub's authenticated by a user token), resident
 * memory per connection after a full GC, and server CPU per delivery of a few messages at a low rate.
 *
 *   --connections=19500 --workers=4 --users=100 (Hubbub accounts the connections sign in as)
 *   --inflight=200 (connections being opened at once per load process) --messages=5 --rate=1 (messages/s)
 *   --only=hubbub|raw-ws
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../flags';
import { publish, SubscriberPool, sleep, waitForCount } from '../load';
import { LoadProcess } from '../load-process';
import { protocols, type Session, signUp } from '../protocols';
import { startServer, untilQuiet } from '../server-process';
import { cpuPerDelivery, fixed, rssPerConnection } from '../stats';
import { type ConnectWindow, connectRate, connectSeconds, type ScaleFigures, shares, verdicts } from './figures';
import type { ToCoordinator, ToWorker } from './ipc';

const args = parseFlags();
const CONNECTIONS = Number(args.connections ?? 19_500);
const WORKERS = Number(args.workers ?? 4);
const USERS = Number(args.users ?? 100);
const IN_FLIGHT = Number(args.inflight ?? 200);
const MESSAGES = Number(args.messages ?? 5);
const RATE = Number(args.rate ?? 1);
const KINDS = (args.only ? [args.only] : ['raw-ws', 'hubbub']) as ('raw-ws' | 'hubbub')[];
/** Subscribers opened before the memory baseline (the server's first connection warms its code and caches). */
const WARM = 10;
const BODY = 'The quick brown fox jumps over the lazy dog while the team ships the release notes on time. ';
const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One URL per connection: Hubbub's sign in as USERS accounts in turn, raw ws's are all alike. */
async function subscriberUrls(kind: 'raw-ws' | 'hubbub', port: number, session: Session): Promise<string[]> {
  if (kind === 'raw-ws') return Array.from({ length: CONNECTIONS }, () => session.subscriberUrl);
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) tokens.push(await signUp(port, `scale-${i}`));
  return Array.from({ length: CONNECTIONS }, (_, i) => `ws://127.0.0.1:${port}/ws?token=${tokens[i % USERS]}`);
}

async function measure(kind: 'raw-ws' | 'hubbub'): Promise<ScaleFigures> {
  console.log(`\n${kind}: ${CONNECTIONS} connections from ${WORKERS} load processes (load ${load()})`);
  const server = await startServer(kind);
  const workers = Array.from({ length: WORKERS }, () => new LoadProcess<ToWorker, ToCoordinator>(WORKER));
  let warm: SubscriberPool | null = null;
  try {
    const session = await protocols[kind].setup(server.port);
    // The warm subscribers answer tRPC's keep-alive PING as a client does (else they are closed as dead).
    warm = new SubscriberPool({ ...session, respond: (frame) => (frame === 'PING' ? ['PONG'] : []) });
    const urls = await subscriberUrls(kind, server.port, session);
    await Promise.all(workers.map((w) => w.ready));
    await warm.connect(WARM);
    const warmed = warm;
    await sleep(1000);
    await server.collectGarbage();
    const rss0 = server.rss();

    let from = 0;
    const counts = shares(CONNECTIONS, WORKERS);
    const connectCpu0 = server.cpuSeconds();
    const windows = await Promise.all(
      workers.map((worker, i) => {
        const part = urls.slice(from, from + (counts[i] ?? 0));
        from += part.length;
        return worker.ask<'connected'>({
          type: 'connect',
          urls: part,
          frames: session.subscribeFrames,
          confirm: session.isSubscribed ? '"presence"' : null,
          inFlight: IN_FLIGHT,
          // Each server's run from addresses of its own: the connections the run before closed wait out
          // TIME_WAIT on their addresses' ports, and binding beside thousands of them slows every connect.
          localAddress: `127.0.0.${10 + KINDS.indexOf(kind) * WORKERS + i}`,
        });
      }),
    );
    const subscribed = windows.reduce((sum, w) => sum + w.subscribed, 0);
    const failed = windows.reduce((sum, w) => sum + w.failed, 0);
    const rate = connectRate(windows as ConnectWindow[]);
    // The server's own cost of a connect, which the load on the machine moves less than the rate.
    const cpuPerConnect = ((server.cpuSeconds() - connectCpu0) * 1e3) / subscribed;
    console.log(
      `  subscribed ${subscribed} (${failed} failed${failed ? `: ${windows.find((w) => w.firstError)?.firstError}` : ''}) in ${fixed(connectSeconds(windows), 2)} s: ${fixed(rate, 0)} connections/s, server CPU ${fixed(cpuPerConnect, 3)} ms per connection (load ${load()})`,
    );

    await sleep(2000);
    await server.collectGarbage();
    const rss1 = server.rss();
    const kb = rssPerConnection(rss0, rss1, subscribed);
    console.log(
      `  RSS ${fixed(rss0 / 2 ** 20)} → ${fixed(rss1 / 2 ** 20)} MB after GC: ${fixed(kb, 2)} KB per connection`,
    );

    const delivered = async () =>
      warmed.delivered +
      (await Promise.all(workers.map((w) => w.ask<'count'>({ type: 'count' })))).reduce((s, c) => s + c.delivered, 0);
    let count = 0;
    const poll = setInterval(async () => {
      count = await delivered();
    }, 100);
    const everyone = subscribed + WARM;
    try {
      // Warm-up: the first messages at this size (JIT, buffers), then the measured ones from a quiet server.
      await publish(session, 3, RATE, BODY, () =>
        waitForCount(() => count, 3 * everyone, { stallMs: 10_000, timeoutMs: 60_000 }),
      );
      await untilQuiet(server, 60_000);
      const before = await delivered();
      const cpu0 = server.cpuSeconds();
      await publish(session, MESSAGES, RATE, BODY, () =>
        waitForCount(() => count - before, MESSAGES * everyone, { stallMs: 10_000, timeoutMs: 60_000 }),
      );
      const cpu = server.cpuSeconds() - cpu0;
      const deliveries = (await delivered()) - before;
      const us = cpuPerDelivery(cpu, deliveries);
      console.log(
        `  fan-out: ${MESSAGES} messages at ${RATE}/s, ${deliveries} of ${MESSAGES * everyone} delivered, server CPU ${fixed(cpu, 2)} s = ${fixed(us, 2)} µs per delivery (load ${load()})`,
      );
      return { kbPerConnection: kb, connectsPerSecond: rate, cpuUsPerDelivery: us };
    } finally {
      clearInterval(poll);
    }
  } finally {
    warm?.close();
    await Promise.all(workers.map((w) => w.close()));
    await server.stop();
  }
}

const figures = new Map<string, ScaleFigures>();
for (const kind of KINDS) figures.set(kind, await measure(kind));
const hubbub = figures.get('hubbub');
const raw = figures.get('raw-ws');
if (hubbub && raw) {
  console.log(`\nTargets (${CONNECTIONS} connections; load ${load()})`);
  for (const v of verdicts(hubbub, raw)) console.log(`  ${v.target}: ${v.figure} — ${v.met ? 'met' : 'NOT met'}`);
}
process.exit(0);
