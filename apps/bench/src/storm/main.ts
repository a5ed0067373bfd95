/**
 * `pnpm bench:storm`: issue 16's reconnect storm. N subscribed clients (the real @hubbub/client: tRPC's
 * reconnecting wsLink, resuming by lastEventId) on one channel while a publisher sends at a steady rate;
 * the server is stopped (SIGTERM, or SIGKILL with --crash) and started again on the same port and data
 * directory. Measured: from the restarted server accepting to the last client back and holding every
 * message acknowledged before the restart; messages lost and duplicated per client; live publish→receive
 * p99 in 1 s windows after the restart.
 *
 *   --clients=5000 --users=50 --rate=2 (messages/s) --before=8 (s of publishing before the stop)
 *   --observe=20 (s after the restart) --crash --backlog=N (the server's accept queue; Node's default 511)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHubbubClient, type HubbubClient } from '@hubbub/client';
import WebSocket from 'ws';
import { parseFlags } from '../flags';
import { sleep } from '../load';
import { hubbubAccount, signUp } from '../protocols';
import { percentile } from '../stats';
import { ClientLedger, LatencyWindows, publishIndexIn, secondsUntilUnder } from './figures';
import { freePort, type StormServer, startStormServer } from './server-process';

const args = parseFlags();
const CLIENTS = Number(args.clients ?? 5000);
const USERS = Number(args.users ?? 50);
const RATE = Number(args.rate ?? 2);
const BEFORE_S = Number(args.before ?? 8);
const OBSERVE_S = Number(args.observe ?? 20);
const CRASH = args.crash === 'true';
if (args.backlog) process.env.STORM_BACKLOG = args.backlog;
const MAX_MESSAGES = Math.ceil(RATE * (BEFORE_S + OBSERVE_S + 60)) + 10;
const TARGET = { caughtUpS: 5, liveP99Ms: 200, liveWithinS: 10 };

const now = () => performance.now();
let attempts = 0;
/** `ws` with a count of every connection attempt (the storm's load on the listener). */
class CountingWebSocket extends WebSocket {
  constructor(...params: ConstructorParameters<typeof WebSocket>) {
    super(...params);
    attempts++;
  }
}

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
const inBefore = new Uint8Array(MAX_MESSAGES);
const live = new LatencyWindows();
const ledgers: ClientLedger[] = [];
const clients: HubbubClient[] = [];

function onMessage(ledger: ClientLedger, content: string) {
  const stamp = publishIndexIn(content);
  if (!stamp || !ledger.receive(stamp.n)) return;
  const at = now();
  if (phase === 'again') {
    if (stamp.ts >= readyAgainAt) live.add(at - readyAgainAt, at - stamp.ts);
    if (inBefore[stamp.n]) ledger.heldBefore++;
    caughtUp(ledger, at);
  }
}

function caughtUp(ledger: ClientLedger, at: number) {
  if (ledger.caughtUpAt === null && ledger.startedAgainAt !== null && ledger.heldBefore === before.length) {
    ledger.caughtUpAt = at;
  }
}

function connect(index: number): Promise<void> {
  const ledger = new ClientLedger(MAX_MESSAGES);
  ledgers.push(ledger);
  /** This client's sockets: when each attempt after the restart opens and how it ends. */
  class ClientSocket extends CountingWebSocket {
    constructor(...params: ConstructorParameters<typeof WebSocket>) {
      super(...params);
      if (phase !== 'again') return;
      ledger.attemptsAgain++;
      this.once('open', () => {
        ledger.openedAgainAt ??= now();
      });
      this.once('close', (code: number) => {
        if (phase === 'again' && ledger.caughtUpAt === null) ledger.closesAgain.push(code);
      });
    }
  }
  const client = createHubbubClient({
    url: base,
    token: tokens[index % USERS] as string,
    WebSocket: ClientSocket as unknown as typeof globalThis.WebSocket,
  });
  clients.push(client);
  return new Promise((resolve) => {
    client.api.channel.onEvent.subscribe(
      { channelId },
      {
        onStarted: () => {
          if (phase === 'up') return resolve();
          ledger.startedAgainAt ??= now();
          caughtUp(ledger, now());
        },
        onData: (envelope) => {
          const event = (envelope as { data?: unknown }).data ?? envelope;
          const change = event as { type?: string; message?: { content?: string } };
          if (change.type === 'message.created' && change.message?.content) onMessage(ledger, change.message.content);
        },
        onError: (error) => console.error(`client ${index}: ${error.message}`),
      },
    );
  });
}

// The publisher: message.send over HTTP at a steady rate, each stamped with its index and send time.
const publisher = createHubbubClient({ url: base, token: ownerToken, transport: 'http' });
const ackedAt: number[] = [];
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
for (let i = 0; i < CLIENTS; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, (_, j) => connect(i + j)));
}
console.log(`  ${CLIENTS} subscribed in ${((now() - connectStart) / 1000).toFixed(1)} s`);

const publishing$ = publish();
await sleep(BEFORE_S * 1000);

const attemptsBefore = attempts;
const stoppedAt = now();
phase = 'down';
await server.stop(CRASH ? 'SIGKILL' : 'SIGTERM');
const exitedAt = now();
server = await startStormServer(port, dataDir);
readyAgainAt = server.readyAt;
// Every message acknowledged by now was acknowledged before the restarted server accepted anything.
before = ackedAt.flatMap((at, n) => (at !== undefined ? [n] : []));
for (const n of before) inBefore[n] = 1;
for (const ledger of ledgers) {
  ledger.heldBefore = before.length - ledger.missing(before);
}
phase = 'again';
const serverCpu0 = server.cpuSeconds();
const clientCpu0 = process.cpuUsage();
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
console.log(
  `  stopped; exited after ${(exitedAt - stoppedAt).toFixed(0)} ms; accepting again after ${((readyAgainAt - stoppedAt) / 1000).toFixed(1)} s; ${before.length} messages acknowledged before`,
);

await sleep(OBSERVE_S * 1000);
loop.disable();
const serverCpu = server.cpuSeconds() - serverCpu0;
const clientCpu = process.cpuUsage(clientCpu0);
publishing = false;
await publishing$;
// The rest of the acknowledged messages reach everyone (or stop moving).
const acked = () => ackedAt.flatMap((at, n) => (at !== undefined ? [n] : []));
// Lost is counted once every client is back (or nothing has moved for 10 s, or after 60 s).
let lastMissing = -1;
for (let stall = 0, waited = 0; stall < 20 && waited < 120; stall++, waited++) {
  await sleep(500);
  const all = acked();
  const missing = ledgers.reduce((sum, ledger) => sum + ledger.missing(all), 0);
  if (missing === 0 && ledgers.every((ledger) => ledger.caughtUpAt !== null)) break;
  if (missing !== lastMissing) stall = 0;
  lastMissing = missing;
}

const all = acked();
const caught = ledgers.map((l) => (l.caughtUpAt === null ? Number.POSITIVE_INFINITY : l.caughtUpAt - readyAgainAt));
const sortedCaught = [...caught].sort((a, b) => a - b);
const lastCaughtS = (sortedCaught[sortedCaught.length - 1] as number) / 1000;
const lostBefore = ledgers.reduce((sum, l) => sum + l.missing(before), 0);
const lost = ledgers.reduce((sum, l) => sum + l.missing(all), 0);
const clientsLosing = ledgers.filter((l) => l.missing(all) > 0).length;
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
  `  connection attempts during the outage and storm: ${attempts - attemptsBefore} (${((attempts - attemptsBefore) / CLIENTS).toFixed(1)} per client)`,
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
  `  CPU over the ${OBSERVE_S} s after accepting: server ${serverCpu.toFixed(1)} s, load client ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s; load client event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms`,
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

await Promise.all(clients.map((c) => c.close()));
await publisher.close();
await server.stop('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
