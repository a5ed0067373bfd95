import type { Results } from './results';
import { cpuRatio } from './rounds';
import type { FanoutResult, PersistenceDatabase, PersistenceResult } from './scenarios';
import { searchSection } from './search/search-report';
import { SERVER_NAMES } from './server-process';
import { fixed as f } from './stats';
import { checkTargets } from './targets';

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** A fan-out table's columns after the row's name; `vs` names the rows the CPU ratios are to. */
const fanoutHead = (...vs: string[]) => [
  'CPU µs / delivery',
  ...vs.map((name) => `vs ${name}`),
  'deliveries/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'delivered',
  'load client CPU µs / delivery',
];

/** One fan-out run's cells: its CPU as a ratio to each yardstick's (a dash for one not measured), `note` after the delivered count. */
function fanoutCells(x: FanoutResult, yardsticks: (FanoutResult | undefined)[], note = ''): string[] {
  const rounds = x.rounds ? ` (rounds ${x.rounds.map((cpu) => f(cpu, 2)).join(' / ')})` : '';
  return [
    `${f(x.cpuUsPerDelivery, 2)}${rounds}`,
    ...yardsticks.map((y) => (y ? `${f(cpuRatio(x, y).ratio, 2)}×` : '–')),
    f(x.deliveriesPerSecond, 0),
    f(x.p50),
    f(x.p99),
    f(x.max),
    `${x.delivered}/${x.expected}${note}`,
    f(x.clientCpuUsPerDelivery, 2),
  ];
}

/** What a fan-out table's rows are, where some ran several rounds or after a warm-up. */
function fanoutNotes(runs: FanoutResult[]): string {
  const names = (some: FanoutResult[]) => some.map((x) => SERVER_NAMES[x.server]).join(', ');
  const notes: string[] = [];
  const rounded = runs.filter((x) => x.rounds);
  if (rounded.length > 0) {
    notes.push(
      `${names(rounded)}: ${rounded[0]?.rounds?.length} alternating rounds each; a row is its median round, and a ratio between two such rows is the median of the rounds' ratios.`,
    );
  }
  const warmed = runs.filter((x) => x.warmUp);
  if (warmed.length > 0) {
    notes.push(
      `${names(warmed)}: before the run, ${warmed[0]?.warmUp?.toLocaleString('en-US')} messages that reached no subscriber (\`--warm-up\`).`,
    );
  }
  return notes.map((note) => `\n\n${note}`).join('');
}

/** The results as Markdown tables (printed, and written into docs/benchmarks.md by a full run). */
export function renderMarkdown(r: Results): string {
  const parts: string[] = [];
  const targets = checkTargets(r);
  if (targets.length) {
    const met = targets.filter((t) => t.met).length;
    parts.push(
      `### Targets: ${met} of ${targets.length} met\n\n${table(
        ['target', 'this run', 'met'],
        targets.map((t) => [t.target, t.figure, t.met ? 'yes' : '**NO**']),
      )}`,
    );
  }
  for (const n of [...new Set(r.fanout.map((x) => x.subscribers))]) {
    const runs = r.fanout.filter((x) => x.subscribers === n);
    const raw = runs.find((x) => x.server === 'raw-ws');
    // The floor's column only where the floor ran.
    const floor = runs.find((x) => x.server === 'raw-ws-floor');
    const yardsticks = floor ? [raw, floor] : [raw];
    const rows = runs.map((x) => [SERVER_NAMES[x.server], ...fanoutCells(x, yardsticks)]);
    const sample = runs[0];
    parts.push(
      `### Fan-out: ${n} subscribers, ${sample?.messages} messages at ${sample?.rate}/s\n\n${table(
        ['server', ...fanoutHead(...(floor ? ['raw ws', 'floor'] : ['raw ws']))],
        rows,
      )}${fanoutNotes(runs)}`,
    );
  }
  if (r.sse) {
    const { sse, websocket } = r.sse;
    const cut = sse.streamsEnded > 0 ? ` (${sse.streamsEnded} streams cut)` : '';
    parts.push(
      `### Server-Sent Events: Hubbub, ${sse.subscribers} subscribers, ${sse.messages} messages at ${sse.rate}/s\n\n${table(
        ['transport', ...fanoutHead('WebSocket')],
        [
          ['WebSocket (channel.onEvent)', ...fanoutCells(websocket, [websocket])],
          ['SSE (GET /trpc/channel.onEvent)', ...fanoutCells(sse, [websocket], cut)],
        ],
      )}`,
    );
  }
  if (r.memory.length) {
    const rawKb = r.memory.find((m) => m.server === 'raw-ws')?.kbPerConnection ?? Number.NaN;
    parts.push(
      `### Memory: RSS per subscribed connection (${r.memory[0]?.connections} connections)\n\n${table(
        ['server', 'KB / connection', 'vs raw ws'],
        r.memory.map((m) => [SERVER_NAMES[m.server], f(m.kbPerConnection), `${f(m.kbPerConnection / rawKb, 2)}×`]),
      )}`,
    );
  }
  if (r.slow.length) {
    parts.push(
      `### Slow consumer: one subscriber stops reading\n\n${table(
        [
          'server',
          'server RSS growth MB (without slow)',
          'slow client',
          'others p99 ms (without slow)',
          'missing after resume',
        ],
        r.slow.map((s) => [
          SERVER_NAMES[s.server],
          `${f(s.rssGrowthMb)} (${f(s.rssGrowthBaselineMb)})`,
          s.slowClientFate,
          `${f(s.othersP99)} (${f(s.othersP99Baseline)})`,
          s.missingAfterResume === null ? 'n/a (no resume)' : String(s.missingAfterResume),
        ]),
      )}`,
    );
  }
  if (r.persistence) parts.push(persistenceSection(r.persistence));
  if (r.deltas) {
    const d = r.deltas;
    parts.push(
      `### Assistant deltas: a fast model, ${d.subscribers} subscribers\n\n${table(
        ['model chunks/s', 'frames/s per subscriber'],
        [[f(d.modelChunksPerSecond, 0), f(d.framesPerSecondPerSubscriber, 1)]],
      )}`,
    );
  }
  if (r.search?.length || r.searchSkipped) parts.push(searchSection(r.search ?? [], r.searchSkipped));
  return parts.join('\n\n');
}

const DATABASE_NAMES: Record<PersistenceDatabase, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** One row per database the messages were stored in, and why PostgreSQL is missing when it is. */
function persistenceSection(p: PersistenceResult): string {
  const rows = p.runs.map((run) => [
    DATABASE_NAMES[run.database],
    String(run.clients),
    f(run.messagesPerSecond, 0),
    f(run.ackP50, 2),
    f(run.ackP99, 2),
    f(run.cpuUsPerMessage, 1),
    run.gapFree ? 'yes' : 'NO',
  ]);
  const skipped = p.postgresSkipped ? `\n\nPostgreSQL not measured: ${p.postgresSkipped}` : '';
  return `### Persistence: messages sent over WebSocket and stored in SQLite and PostgreSQL\n\n${table(
    ['database', 'senders', 'messages/s', 'ack p50 ms', 'ack p99 ms', 'server CPU µs / message', 'offsets gap-free'],
    rows,
  )}${skipped}`;
}

const FULL_RUN_START = '<!-- a full `pnpm bench` run writes from here -->';
const FULL_RUN_END = '<!-- to here -->';

/**
 * benchmarks.md with its full-run section replaced by `section` (appended when the markers are
 * missing): the hand-written rounds around it are the record of what changed, and stay.
 */
export function withFullRun(doc: string, section: string): string {
  const block = `${FULL_RUN_START}\n\n${section.trim()}\n\n${FULL_RUN_END}`;
  const start = doc.indexOf(FULL_RUN_START);
  const end = start < 0 ? -1 : doc.indexOf(FULL_RUN_END, start);
  if (end < 0) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + FULL_RUN_END.length);
}
