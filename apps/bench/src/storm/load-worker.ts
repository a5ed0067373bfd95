/**
 * One load process of `pnpm bench:storm`: it holds a share of the clients (the real @hubbub/client, each a
 * reconnecting wsLink resuming by lastEventId), keeps each client's ledger, and answers the coordinator over
 * IPC (storm/ipc.ts). With all 5,000 clients in one process, every message was 5,000 `onData` calls in one
 * event loop before the last client had it: the live latency measured was the load client's own.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHubbubClient, type HubbubClient } from '@hubbub/client';
import WebSocket from 'ws';
import { ClientLedger, publishIndexIn } from './figures';
import type { ClientRecord, ToStormCoordinator, ToStormWorker } from './ipc';

const clock = () => performance.timeOrigin + performance.now();
const reply = (message: ToStormCoordinator): void => {
  process.send?.(message);
};

/**
 * 'down' from the stop until the coordinator says when the restarted server accepted ('again'): that word
 * comes a few milliseconds after the server does, so what happens meanwhile is kept with its time and
 * counted once it is known (attempts, opens and closes by time; a client caught up then, at that word).
 */
let phase: 'up' | 'down' | 'again' = 'up';
let readyAgainAt = Number.NaN;
let before: number[] = [];
let inBefore = new Uint8Array(0);
let attempts = 0;
let attemptsAtStop = 0;
/** A client's ledger, and its sockets since the stop: when each was made, and how and when each closed. */
interface Client {
  ledger: ClientLedger;
  attemptTimes: number[];
  closes: [at: number, code: number][];
}
const tracked: Client[] = [];
const clients: HubbubClient[] = [];
/** Deliveries since the stop: [received at, publish stamp] pairs, flattened (the live ones are told apart later). */
const received: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 10 });
let cpuAtAgain = process.cpuUsage();

/** `ws` with a count of every connection attempt (the storm's load on the listener). */
class CountingWebSocket extends WebSocket {
  constructor(...params: ConstructorParameters<typeof WebSocket>) {
    super(...params);
    attempts++;
  }
}

function onMessage(ledger: ClientLedger, content: string) {
  const stamp = publishIndexIn(content);
  if (!stamp || !ledger.receive(stamp.n) || phase === 'up') return;
  const at = clock();
  received.push(at, stamp.ts);
  if (phase === 'again') {
    if (inBefore[stamp.n]) ledger.heldBefore++;
    caughtUp(ledger, at);
  }
}

function caughtUp(ledger: ClientLedger, at: number) {
  if (ledger.caughtUpAt === null && ledger.startedAgainAt !== null && ledger.heldBefore === before.length) {
    ledger.caughtUpAt = at;
  }
}

function connect(base: string, channelId: string, token: string, maxMessages: number): Promise<void> {
  const ledger = new ClientLedger(maxMessages);
  const client: Client = { ledger, attemptTimes: [], closes: [] };
  tracked.push(client);
  /** This client's sockets since the stop: when each is made, opens and closes. */
  class ClientSocket extends CountingWebSocket {
    constructor(...params: ConstructorParameters<typeof WebSocket>) {
      super(...params);
      if (phase === 'up') return;
      client.attemptTimes.push(clock());
      // Nothing opens while the server is down: an open is the restarted server's.
      this.once('open', () => {
        ledger.openedAgainAt ??= clock();
      });
      this.once('close', (code: number) => client.closes.push([clock(), code]));
    }
  }
  const hubbub = createHubbubClient({
    url: base,
    token,
    WebSocket: ClientSocket as unknown as typeof globalThis.WebSocket,
  });
  clients.push(hubbub);
  return new Promise((resolve) => {
    hubbub.api.channel.onEvent.subscribe(
      { channelId },
      {
        onStarted: () => {
          if (phase === 'up') return resolve();
          ledger.startedAgainAt ??= clock();
          if (phase === 'again') caughtUp(ledger, clock());
        },
        onData: (envelope) => {
          const event = (envelope as { data?: unknown }).data ?? envelope;
          const change = event as { type?: string; message?: { content?: string } };
          if (change.type === 'message.created' && change.message?.content) onMessage(ledger, change.message.content);
        },
        onError: (error) => console.error(`storm client: ${error.message}`),
      },
    );
  });
}

function record({ ledger, attemptTimes, closes }: Client, acked: readonly number[]): ClientRecord {
  const { caughtUpAt } = ledger;
  return {
    caughtUpAt,
    startedAgainAt: ledger.startedAgainAt,
    openedAgainAt: ledger.openedAgainAt,
    attemptsAgain: attemptTimes.filter((at) => at >= readyAgainAt).length,
    // Closes after the restart before the client was back.
    closesAgain: closes
      .filter(([at]) => at >= readyAgainAt && (caughtUpAt === null || at < caughtUpAt))
      .map(([, code]) => code),
    missingAcked: ledger.missing(acked),
    missingBefore: ledger.missing(before),
    duplicates: ledger.duplicates,
  };
}

/** Live deliveries (published after the restart): [ms since it accepted, publish→receive ms] pairs, flattened. */
function liveSince(readyAt: number): number[] {
  const live: number[] = [];
  for (let i = 0; i < received.length; i += 2) {
    const at = received[i] as number;
    const stamp = received[i + 1] as number;
    if (stamp >= readyAt) live.push(at - readyAt, at - stamp);
  }
  return live;
}

async function handle(message: ToStormWorker): Promise<void> {
  switch (message.type) {
    case 'connect': {
      const { base, channelId, tokens, maxMessages } = message;
      for (let i = 0; i < tokens.length; i += 100) {
        await Promise.all(tokens.slice(i, i + 100).map((token) => connect(base, channelId, token, maxMessages)));
      }
      return reply({ type: 'connected' });
    }
    case 'down':
      attemptsAtStop = attempts;
      phase = 'down';
      return reply({ type: 'down' });
    case 'again':
      readyAgainAt = message.readyAt;
      before = message.before;
      inBefore = new Uint8Array(Math.max(0, ...before) + 1);
      for (const n of before) inBefore[n] = 1;
      phase = 'again';
      for (const { ledger } of tracked) {
        ledger.heldBefore = before.length - ledger.missing(before);
        caughtUp(ledger, clock());
      }
      cpuAtAgain = process.cpuUsage();
      loop.enable();
      return reply({ type: 'again' });
    case 'observed': {
      loop.disable();
      const cpu = process.cpuUsage(cpuAtAgain);
      return reply({
        type: 'observed',
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        loopP99Ms: loop.percentile(99) / 1e6,
        loopMaxMs: loop.max / 1e6,
      });
    }
    case 'status':
      return reply({
        type: 'status',
        missing: tracked.reduce((sum, { ledger }) => sum + ledger.missing(message.acked), 0),
        allBack: tracked.every(({ ledger }) => ledger.caughtUpAt !== null),
      });
    case 'report':
      return reply({
        type: 'report',
        clients: tracked.map((client) => record(client, message.acked)),
        live: liveSince(readyAgainAt),
        attempts: attempts - attemptsAtStop,
      });
    case 'close':
      await Promise.all(clients.map((client) => client.close()));
      process.exit(0);
  }
}

process.on('message', (message: ToStormWorker) => void handle(message));
reply({ type: 'ready' });
