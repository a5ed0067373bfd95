/**
 * `pnpm bench:storm`: issue 16's reconnect storm. N subscribed clients (the real @hubbub/client: tRPC's
 * reconnecting wsLink, resuming by lastEventId) on one channel while a publisher sends at a steady rate;
 * the server is stopped (SIGTERM, or SIGKILL with --crash) and started again on the same port and data
 * directory. Measured: from the restarted server accepting to the last client back and holding every
 * message acknowledged before the restart; messages lost and duplicated per client; live publish→receive
 * p99 in 1 s windows after the restart.
 *
 * The clients are spread over load processes (storm/load-worker.ts), so that no single event loop
 * delivering a message to thousands of clients is what the live latency measures.
 *
 *   --clients=5000 --users=50 --rate=2 (messages/s) --before=8 (s of publishing before the stop)
 *   --observe=20 (s after the restart) --crash --backlog=N (the server's accept queue; Node's default 511)
 *   --workers=2 (load processes: one per core of the 2-core bench machine; more compete with the server)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHubbubClient } from '@hubbub/client';
import { parseFlags } from '../flags';
import { sleep } from '../load';
import { LoadProcess } from '../load-process';
import { hubbubAccount, signUp } from '../protocols';
import { percentile } from '../stats';
import { LatencyWindows, secondsUntilUnder } from './figures';
import type { ClientRecord, ToStormCoordinator, ToStormWorker } from './ipc';
import { freePort, type StormServer, startStormServer } from './server-process';

const args = parseFlags();
const CLIENTS = Number(args.clients ?? 5000);
const USERS = Number(args.users ?? 50);
const RATE = Number(args.rate ?? 2);
const BEFORE_S = Number(args.before ?? 8);
const OBSERVE_S = Number(args.observe ?? 20);
const CRASH = args.crash === 'true';
const WORKERS = Number(args.workers ?? 2);
const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
if (args.backlog) process.env.STORM_BACKLOG = args.backlog;
const MAX_MESSAGES = Math.ceil(RATE * (BEFORE_S + OBSERVE_S + 60)) + 10;
const TARGET = { caughtUpS: 5, liveP99Ms: 200, liveWithinS: 10 };

/** Absolute ms, as the load processes' clocks and the publish stamps are. */
const now = () => performance.timeOrigin + performance.now();
const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-storm-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let server: StormServer = await startStormServer(port, dataDir);

const { channelId, token: ownerToken } = await hubbubAccount(port, 'storm-owner');
const tokens: string[] = [];
for (let i = 0; i < USERS; i++) tokens.push(await signUp(port, `storm-${i}`));

let phase: 'up' | 'down' | 'again' = 'up';
let readyAgainAt = Number.NaN;
let before: number[] = [];

const workers = Array.from({ length: WORKERS }, () => new LoadProcess<ToStormWorker, ToStormCoordinator>(WORKER));
await Promise.all(workers.map((w) => w.ready));
/** Asks every load process the same, in parallel. */
const askAll = <T extends ToStormCoordinator['type']>(message: ToStormWorker) =>
  Promise.all(workers.map((w) => w.ask<T>(message)));

// The publisher: message.send over HTTP at a steady rate, each stamped with its index and send time.
const publisher = createHubbubClient({ url: base, token: ownerToken, transport: 'http' });
const ackedAt: number[] = [];
/** The indexes of the messages acknowledged so far. */
const acked = () => ackedAt.flatMap((at, n) => (at !== undefined ? [n] : []));
/** The publisher's own acknowledgement latency after the restart, by send time. */
const acks = new LatencyWindows();
let publishing = true;
let sent = 0;
async function publish() {
  const start = now();
  for (let n = 0; publishing && n < MAX_MESSAGES; n++) {
    await sleep(start + (n * 1000) / RATE - now());
    sent++;
    const sentAt = now();
    publisher.api.message.send.mutate({ channelId, content: `storm n=${n} ts=${sentAt}` }).then(
      () => {
        ackedAt[n] = now();
        if (phase === 'again' && sentAt >= readyAgainAt) acks.add(sentAt - readyAgainAt, now() - sentAt);
      },
      () => {},
    );
  }
}

console.log(`storm: ${CLIENTS} clients (${USERS} users), ${RATE} messages/s, ${CRASH ? 'SIGKILL' : 'SIGTERM'}`);
const connectStart = now();
await Promise.all(
  workers.map((worker, w) => {
    const mine = Array.from({ length: CLIENTS }, (_, i) => i).filter((i) => i % WORKERS === w);
    return worker.ask<'connected'>({
      type: 'connect',
      base,
      channelId,
      tokens: mine.map((i) => tokens[i % USERS] as string),
      maxMessages: MAX_MESSAGES,
    });
  }),
);
console.log(
  `  ${CLIENTS} subscribed from ${WORKERS} load processes in ${((now() - connectStart) / 1000).toFixed(1)} s`,
);

const publishing$ = publish();
await sleep(BEFORE_S * 1000);

const stoppedAt = now();
phase = 'down';
await askAll<'down'>({ type: 'down' });
await server.stop(CRASH ? 'SIGKILL' : 'SIGTERM');
const exitedAt = now();
server = await startStormServer(port, dataDir);
readyAgainAt = server.readyAt;
// Every message acknowledged by now was acknowledged before the restarted server accepted anything.
before = acked();
phase = 'again';
await askAll<'again'>({ type: 'again', readyAt: readyAgainAt, before });
const serverCpu0 = server.cpuSeconds();
console.log(
  `  stopped; exited after ${(exitedAt - stoppedAt).toFixed(0)} ms; accepting again after ${((readyAgainAt - stoppedAt) / 1000).toFixed(1)} s; ${before.length} messages acknowledged before`,
);

await sleep(OBSERVE_S * 1000);
const observed = await askAll<'observed'>({ type: 'observed' });
const serverCpu = server.cpuSeconds() - serverCpu0;
const clientCpuS = observed.reduce((sum, o) => sum + o.cpuSeconds, 0);
publishing = false;
await publishing$;
// The rest of the acknowledged messages reach everyone (or stop moving).
// Lost is counted once every client is back (or nothing has moved for 10 s, or after 60 s).
let lastMissing = -1;
for (let stall = 0, waited = 0; stall < 20 && waited < 120; stall++, waited++) {
  await sleep(500);
  const status = await askAll<'status'>({ type: 'status', acked: acked() });
  const missing = status.reduce((sum, s) => sum + s.missing, 0);
  if (missing === 0 && status.every((s) => s.allBack)) break;
  if (missing !== lastMissing) stall = 0;
  lastMissing = missing;
}

const all = acked();
const reports = await askAll<'report'>({ type: 'report', acked: all });
const ledgers: ClientRecord[] = reports.flatMap((r) => r.clients);
const live = new LatencyWindows();
for (const { live: pairs } of reports) {
  for (let i = 0; i < pairs.length; i += 2) live.add(pairs[i] as number, pairs[i + 1] as number);
}
const attempts = reports.reduce((sum, r) => sum + r.attempts, 0);
const caught = ledgers.map((l) => (l.caughtUpAt === null ? Number.POSITIVE_INFINITY : l.caughtUpAt - readyAgainAt));
const sortedCaught = [...caught].sort((a, b) => a - b);
const lastCaughtS = (sortedCaught[sortedCaught.length - 1] as number) / 1000;
const lostBefore = ledgers.reduce((sum, l) => sum + l.missingBefore, 0);
const lost = ledgers.reduce((sum, l) => sum + l.missingAcked, 0);
const clientsLosing = ledgers.filter((l) => l.missingAcked > 0).length;
const notBack = ledgers.filter((l) => l.caughtUpAt === null).length;
const duplicates = ledgers.reduce((sum, l) => sum + l.duplicates, 0);
const clientsDuplicated = ledgers.filter((l) => l.duplicates > 0).length;
const p99s = live.p99s(OBSERVE_S);
const liveBackS = secondsUntilUnder(p99s, TARGET.liveP99Ms);
const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'never');

console.log(`\nReconnect storm: ${CLIENTS} clients, ${CRASH ? 'SIGKILL' : 'SIGTERM'}, ${RATE} messages/s`);
console.log(`  server accepting again ${((readyAgainAt - exitedAt) / 1000).toFixed(2)} s after the old one exited`);
console.log(
  `  back and caught up after accepting: p50 ${s(percentile(sortedCaught, 50))} s, p99 ${s(percentile(sortedCaught, 99))} s, last ${s(lastCaughtS * 1000)} s`,
);
console.log(
  `  connection attempts during the outage and storm: ${attempts} (${(attempts / CLIENTS).toFixed(1)} per client)`,
);
console.log(
  `  messages: ${sent} sent, ${all.length} acknowledged (${before.length} before the restart); lost ${lost} (${lostBefore} of those before; ${clientsLosing} clients, ${notBack} of them never back), duplicated ${duplicates} (${clientsDuplicated} clients)`,
);
console.log(
  `  live p99 per 1 s window after accepting (ms): ${p99s.map((p) => (Number.isFinite(p) ? p.toFixed(0) : '–')).join(' ')}`,
);
console.log(
  `  publisher ack p99 per 1 s window of sending after accepting (ms): ${acks
    .p99s(OBSERVE_S)
    .map((p) => (Number.isFinite(p) ? p.toFixed(0) : '–'))
    .join(' ')}`,
);
console.log(
  `  CPU over the ${OBSERVE_S} s after accepting: server ${serverCpu.toFixed(1)} s, load processes ${clientCpuS.toFixed(1)} s; their event-loop delay p99 ${Math.max(...observed.map((o) => o.loopP99Ms)).toFixed(0)} ms (the worst of ${WORKERS}), max ${Math.max(...observed.map((o) => o.loopMaxMs)).toFixed(0)} ms`,
);
// Where the slowest 1% spent their time: waiting to try, the socket opening, or between open and caught up.
const slowest = [...ledgers]
  .sort((a, b) => (b.caughtUpAt ?? Number.POSITIVE_INFINITY) - (a.caughtUpAt ?? Number.POSITIVE_INFINITY))
  .slice(0, Math.max(1, Math.ceil(CLIENTS / 100)));
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const closeCodes = new Map<number, number>();
for (const l of slowest) for (const code of l.closesAgain) closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
console.log(
  `  slowest 1% (${slowest.length}): median attempts after accepting ${median(slowest.map((l) => l.attemptsAgain))}, first open at ${s(median(slowest.map((l) => (l.openedAgainAt ?? Number.NaN) - readyAgainAt)))} s, started at ${s(median(slowest.map((l) => (l.startedAgainAt ?? Number.NaN) - readyAgainAt)))} s, caught up at ${s(median(slowest.map((l) => (l.caughtUpAt ?? Number.NaN) - readyAgainAt)))} s; closes before caught up: ${[...closeCodes].map(([code, n]) => `${code}×${n}`).join(' ') || 'none'}`,
);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log('\nTargets');
console.log(
  `  every client back with every message acknowledged before the restart within ${TARGET.caughtUpS} s: ${s(lastCaughtS * 1000)} s — ${met(lastCaughtS <= TARGET.caughtUpS)}`,
);
console.log(`  0 lost, 0 duplicated: ${lost} lost, ${duplicates} duplicated — ${met(lost === 0 && duplicates === 0)}`);
console.log(
  `  live p99 under ${TARGET.liveP99Ms} ms within ${TARGET.liveWithinS} s: ${liveBackS === null ? 'never' : `from ${liveBackS} s`} — ${met(liveBackS !== null && liveBackS <= TARGET.liveWithinS)}`,
);

await Promise.all(workers.map((w) => w.close()));
await publisher.close();
await server.stop('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
