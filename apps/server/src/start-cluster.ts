/**
 * `pnpm start:cluster`: three Hubbub instances on consecutive ports (3001–3003
 * by default) sharing the local PostgreSQL and Redis — the scale-out setup on
 * one machine. Put any load balancer in front (see the README), or open one
 * port per browser. Ctrl-C stops all three.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import postgres from 'postgres';
import { readClusterEnv } from './env';
import { SERVER_MAIN, SERVER_NODE_ARGS } from './node-args';
import { loadOrCreateSecret } from './secret';

const env = readClusterEnv();
const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BASE_PORT: basePort, INSTANCES: count } = env;
const dataDir = env.HUBBUB_DATA_DIR;

/** Creates the database if it does not exist (the instances then apply the migrations). */
async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const found = await sql`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await sql.end();
  }
}

await ensureDatabase(databaseUrl);
// One secret for all instances, so a token from one is valid on the others.
const secret = loadOrCreateSecret(dataDir, env.HUBBUB_SECRET);
const children: ChildProcess[] = [];
for (let i = 0; i < count; i++) {
  const port = basePort + i;
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER_MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      HUBBUB_SECRET: secret,
      HUBBUB_INSTANCE: `hubbub-${port}`,
      HUBBUB_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
}
console.log(`\n  ${count} Hubbub instances on ports ${basePort}–${basePort + count - 1} (PostgreSQL + Redis)\n`);

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await Promise.all(children.map((c) => new Promise((resolve) => c.once('exit', resolve))));
