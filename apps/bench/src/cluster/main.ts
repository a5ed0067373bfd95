/**
 * `pnpm bench:cluster`: issue 16's cluster path. In one run, at each rate: one instance and two instances on
 * the same PostgreSQL + Redis (each setup on a fresh database and Redis prefix), 1,000 subscribers of one
 * channel split evenly over the instances, people posting on the first instance; then the embedded SQLite
 * single instance for reference. Printed: publish→receive p50/p99, CPU per delivery (all instances'
 * user+system), delivered/expected, sends refused and subscribers closed (if any), the setup's PostgreSQL
 * transactions (a receiving instance that read events back would show here), and the targets (ratios against
 * the PostgreSQL + Redis single instance of the same run) met or not.
 *
 *   --rates=20,50 (messages/s, all posters) --subscribers=1000 --posters=10 --seconds=10 (measured, per setup)
 *   --posters-on=first|all (all: spread over the instances, so their publishes cross on the bus)
 *   --rounds=1 (setups alternate their order each round) --no-sqlite --profile=DIR (V8 CPU profiles of every
 *   instance, one folder per setup)
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { probePostgres, TestDatabases } from '@hubbub/db/test';
import { parseFlags } from '../flags';
import { type LoadSpec, runSetup, type SetupResult, type SetupSpec } from './run';
import { judgeCluster, setupTable, verdictTable } from './targets';

const args = parseFlags();
const RATES = (args.rates ?? '20,50').split(',').map(Number);
const SUBSCRIBERS = Number(args.subscribers ?? 1000);
const POSTERS = Number(args.posters ?? 10);
const SECONDS = Number(args.seconds ?? 10);
const ROUNDS = Number(args.rounds ?? 1);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROFILE_DIR = args.profile;
const POSTERS_ON = args['posters-on'] === 'all' ? 'all' : 'first';

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${line}`);

const pg = await probePostgres();
if (!pg.reachable) {
  console.error(`bench:cluster needs PostgreSQL: ${pg.reason}`);
  process.exit(1);
}
const databases = new TestDatabases();

/** A setup on PostgreSQL + Redis: a fresh database and Redis prefix of its own. */
async function postgresSetup(label: string, instances: number): Promise<SetupSpec> {
  const name = await databases.blank();
  return {
    label,
    instances,
    env: {
      BENCH_DATABASE_URL: databases.urlFor(name),
      BENCH_REDIS_URL: REDIS_URL,
      BENCH_REDIS_PREFIX: `bench-${name}`,
    },
  };
}

/**
 * Deletes what a setup left under its Redis prefix (the rate limiters' counters outlive the instances by an
 * hour). Through redis-cli, which ships with the Redis server: the bench has no Redis client of its own.
 */
function dropRedisPrefix(prefix: string): void {
  const scan = spawnSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${prefix}:*`], { encoding: 'utf8' });
  if (scan.status !== 0) {
    log(`could not clean Redis prefix ${prefix} (its keys expire within the hour): ${scan.error ?? scan.stderr}`);
    return;
  }
  const keys = scan.stdout.split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 500)
    spawnSync('redis-cli', ['-u', REDIS_URL, 'del', ...keys.slice(i, i + 500)]);
}

/**
 * Transactions the setup's database committed or rolled back, from its start (migrations, sign-ups,
 * subscriptions, sends) to its instances' exit, when every backend has flushed its statistics. The same
 * work on one or two instances should cost the same: more in the cluster would be reads of the receiving side.
 */
function databaseTransactions(databaseUrl: string): number {
  const name = new URL(databaseUrl).pathname.slice(1);
  const query = `select xact_commit + xact_rollback from pg_stat_database where datname = '${name}'`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const psql = spawnSync('psql', [admin.toString(), '-Atc', query], { encoding: 'utf8' });
  return psql.status === 0 ? Number(psql.stdout.trim()) : Number.NaN;
}

const SINGLE = '1 instance (PostgreSQL + Redis)';
const CLUSTER = '2 instances (PostgreSQL + Redis)';
const SQLITE = '1 instance (SQLite, in-process bus; reference)';

async function measure(setup: SetupSpec, spec: LoadSpec): Promise<SetupResult> {
  if (PROFILE_DIR)
    process.env.BENCH_PROFILE_DIR = join(
      PROFILE_DIR,
      `${spec.rate}-${setup.instances}-${setup.label.includes('SQLite') ? 'sqlite' : 'pg'}`,
    );
  log(`${setup.label}, ${spec.rate} msg/s…`);
  const result = await runSetup(setup, spec).finally(() => {
    if (setup.env.BENCH_REDIS_PREFIX) dropRedisPrefix(setup.env.BENCH_REDIS_PREFIX);
  });
  if (setup.env.BENCH_DATABASE_URL) result.databaseTransactions = databaseTransactions(setup.env.BENCH_DATABASE_URL);
  log(
    `  p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.cpuUsPerDelivery.toFixed(2)} µs/delivery, ${result.delivered}/${result.expected}`,
  );
  if (result.refused > 0) log(`  ${result.refused} sends refused, the first: ${result.firstRefusal?.slice(0, 300)}`);
  if (Object.keys(result.closed).length > 0)
    log(`  subscribers closed by the server (by close code): ${JSON.stringify(result.closed)}`);
  return result;
}

const results: SetupResult[] = [];
const verdicts = [];
try {
  for (const rate of RATES) {
    const spec: LoadSpec = {
      subscribers: SUBSCRIBERS,
      posters: POSTERS,
      rate,
      messages: rate * SECONDS,
      postersOn: POSTERS_ON,
    };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [SINGLE, CLUSTER] : [CLUSTER, SINGLE];
      const byLabel = new Map<string, SetupResult>();
      for (const label of order) {
        byLabel.set(label, await measure(await postgresSetup(label, label === CLUSTER ? 2 : 1), spec));
      }
      const single = byLabel.get(SINGLE) as SetupResult;
      const cluster = byLabel.get(CLUSTER) as SetupResult;
      results.push(single, cluster);
      verdicts.push(...judgeCluster(single, cluster));
    }
    if (args['no-sqlite'] !== 'true')
      results.push(
        await measure({ label: SQLITE, instances: 1, env: { BENCH_DATABASE_URL: '', BENCH_REDIS_URL: '' } }, spec),
      );
  }
} finally {
  await databases.dropAll();
}

console.log(
  `\nCluster fan-out: ${SUBSCRIBERS} subscribers split evenly over the instances, ${POSTERS} people posting on ${POSTERS_ON === 'all' ? 'every instance' : 'the first'}, ${SECONDS} s measured per setup (load average at the end: ${load()})\n`,
);
console.log(setupTable(results));
console.log('');
console.log(verdictTable(verdicts));
const met = verdicts.filter((v) => v.met).length;
console.log(`\nTargets: ${met} of ${verdicts.length} met`);
