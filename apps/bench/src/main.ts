/**
 * `pnpm bench`: every server under the same load client on this machine, one
 * after another, then one table (printed; a full run writes it into its own
 * section of docs/benchmarks.md, and a chart). Flags: --quick (smaller runs), --only=fanout,sse,memory,slow,persistence,deltas,search,
 * --search-messages=N (messages stored for the search run; default 1,000,000, 100,000 with --quick),
 * --servers=raw-ws-floor,raw-ws,hubbub (a subset of the servers, for A/B runs; prints only),
 * --subscribers=1000 (the fan-out's sizes; default 1,000 and 5,000),
 * --rounds=3 (alternating fan-out rounds of the floor and Hubbub, the floor target's pair; 1 with --quick),
 * --warm-up=4000 (messages each fan-out server handles, heard by no subscriber, before its run: a server past
 * its JIT warm-up; default none).
 * Sibling programs: `pnpm bench:cluster` (the cluster path), `pnpm bench:storm`, `pnpm bench:scale`, `pnpm bench:web`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderChart } from './chart';
import { wholeNumberFlag } from './flags';
import { sleep } from './load';
import { renderMarkdown, withFullRun } from './report';
import { emptyResults, type Results } from './results';
import { DEFAULT_ROUNDS, medianRound, ROUNDED_SERVERS } from './rounds';
import { assistantDeltas, type FanoutResult, fanout, memory, persistence, slowConsumer, sseFanout } from './scenarios';
import type { ServerKind } from './server-process';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** The comma-separated values of `--name=a,b`, or undefined when the flag is absent. */
const listFlag = (name: string) =>
  args
    .find((a) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3)
    .split(',');
const only = listFlag('only');
const wants = (name: string) => !only || only.includes(name);
// The stock adapter goes last: its seconds-long backlog must not spill into another server's run.
const allServers: ServerKind[] = ['raw-ws-floor', 'raw-ws', 'socketio', 'hubbub', 'trpc-ws', 'stock-trpc'];
// The floor is a fan-out row only (its memory is raw ws's); the slow consumer keeps its four servers.
const memoryServers: ServerKind[] = ['raw-ws', 'socketio', 'hubbub', 'trpc-ws', 'stock-trpc'];
const slowServers: ServerKind[] = ['raw-ws', 'socketio', 'hubbub', 'stock-trpc'];
const serverFilter = listFlag('servers');
const unknown = serverFilter?.filter((name) => !allServers.includes(name as ServerKind)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown server ${unknown.join(', ')}: choose from ${allServers.join(', ')}`);
  process.exit(1);
}
const servers = allServers.filter((kind) => !serverFilter || serverFilter.includes(kind));
const fanoutSizes = listFlag('subscribers')?.map(Number);
/** `--name=N`, a whole number of at least `min` (`fallback` when absent). */
const wholeFlag = (name: string, fallback: number, min: number) =>
  wholeNumberFlag(name, listFlag(name)?.[0], fallback, min);
const log = (line: string) => console.error(line);

/**
 * Before each run: the load client (this process) collects what the previous
 * run left behind, so one server's backlog (the stock adapter's, seconds long)
 * does not land as GC pauses in the next server's figures.
 */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(1000);
}

const results: Results = emptyResults(
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, loopback`,
  new Date().toISOString().slice(0, 10),
);

if (wants('fanout')) {
  const sizes = fanoutSizes ?? (quick ? [200] : [1000, 5000]);
  const rounds = wholeFlag('rounds', quick ? 1 : DEFAULT_ROUNDS, 1);
  const warmUp = wholeFlag('warm-up', 0, 0);
  for (const n of sizes) {
    const messages = n >= 5000 ? 100 : quick ? 100 : 500;
    const rate = n >= 5000 ? 10 : 50;
    // The floor target's pair first, alternating round by round; then every other server once (the stock adapter last).
    const rounded = servers.filter((kind) => ROUNDED_SERVERS.includes(kind));
    const order = [
      ...Array.from({ length: rounds }, () => rounded).flat(),
      ...servers.filter((kind) => !rounded.includes(kind)),
    ];
    const runs = new Map<ServerKind, FanoutResult[]>();
    for (const kind of order) {
      const round = (runs.get(kind)?.length ?? 0) + 1;
      const of = rounded.includes(kind) && rounds > 1 ? ` (round ${round} of ${rounds})` : '';
      await settle();
      log(`fan-out: ${kind}, ${n} subscribers, ${messages} messages at ${rate}/s${of}…`);
      runs.set(kind, [...(runs.get(kind) ?? []), await fanout(kind, n, messages, rate, warmUp)]);
    }
    for (const kind of servers) {
      const kindRuns = runs.get(kind);
      if (kindRuns) results.fanout.push(medianRound(kindRuns));
    }
  }
}
if (wants('sse')) {
  // The same size and rate as the 1,000-subscriber fan-out, next to Hubbub's WebSocket run of it (measured here if
  // the fan-out did not run it).
  const n = 1000;
  const messages = quick ? 100 : 500;
  const rate = 50;
  const sameLoad = (x: FanoutResult) =>
    x.server === 'hubbub' && x.subscribers === n && x.messages === messages && x.rate === rate;
  let websocket = results.fanout.find(sameLoad);
  if (!websocket) {
    await settle();
    log(`SSE: Hubbub over WebSocket first, ${n} subscribers, ${messages} messages at ${rate}/s…`);
    websocket = await fanout('hubbub', n, messages, rate);
  }
  await settle();
  log(`SSE: Hubbub, ${n} Server-Sent Events subscribers, ${messages} messages at ${rate}/s…`);
  results.sse = { websocket, sse: await sseFanout(n, messages, rate) };
}
if (wants('memory')) {
  const connections = quick ? 1000 : 5000;
  for (const kind of servers.filter((k) => memoryServers.includes(k))) {
    await settle();
    log(`memory: ${kind}, ${connections} connections…`);
    results.memory.push(await memory(kind, connections));
  }
}
if (wants('slow')) {
  for (const kind of servers.filter((k) => slowServers.includes(k))) {
    await settle();
    log(`slow consumer: ${kind}…`);
    results.slow.push(await slowConsumer(kind, quick ? 50 : 200, quick ? 600 : 1500, 100, 7000));
  }
}
if (wants('persistence')) {
  const seconds = quick ? 3 : 10;
  log('persistence: Hubbub over WebSocket into SQLite…');
  results.persistence = { runs: [await persistence(32, seconds)] };
  // The same load into PostgreSQL (a fresh database on the local server), measured only when it answers.
  const { probePostgres, TestDatabases } = await import('@hubbub/db/test');
  const pg = await probePostgres();
  if (!pg.reachable) results.persistence.postgresSkipped = pg.reason;
  else {
    const databases = new TestDatabases();
    try {
      const name = await databases.blank();
      await settle();
      log('persistence: Hubbub over WebSocket into PostgreSQL…');
      results.persistence.runs.push(await persistence(32, seconds, databases.urlFor(name)));
    } finally {
      await databases.dropAll();
    }
  }
}
if (wants('deltas')) {
  log('assistant deltas: Hubbub with a fast model…');
  results.deltas = await assistantDeltas(quick ? 50 : 200, quick ? 2 : 5);
}

if (wants('search')) {
  // A fresh database per dialect, filled straight through SQL, then queries through the SearchStore.
  const { searchBench } = await import('./search/search-bench');
  const messages = wholeFlag('search-messages', quick ? 100_000 : 1_000_000, 1000);
  results.search = [await searchBench('sqlite', messages, 300, log)];
  const { probePostgres } = await import('@hubbub/db/test');
  const pg = await probePostgres();
  if (pg.reachable) results.search.push(await searchBench('postgres', messages, 300, log));
  else results.searchSkipped = `PostgreSQL: ${pg.reason}`;
}

const markdown = renderMarkdown(results);
console.log(`\n${markdown}\n`);
if (!quick && !only && !serverFilter && !fanoutSizes) {
  const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));
  writeFileSync(`${docs}benchmark-chart.svg`, renderChart(results));
  const doc = readFileSync(`${docs}benchmarks.md`, 'utf8');
  const section = `## The last full \`pnpm bench\` run (${results.date})\n\nMeasured on ${results.date}: ${results.machine}. The chart at the top of this page is this run's.\n\n${markdown}`;
  writeFileSync(`${docs}benchmarks.md`, withFullRun(doc, section));
  log('wrote docs/benchmarks.md and docs/benchmark-chart.svg');
}
