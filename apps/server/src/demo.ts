/**
 * `pnpm demo`: brings the task dashboard to life on a local Hubbub. Mints a
 * demo agent key in the local database (once; kept in the data dir), queues
 * sample tasks and runs a worker that executes them step by step, with a
 * failure and an approval among them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@hubbub/api';
import { runWorker, type Task, type WorkerContext } from '@hubbub/client';
import { createSqliteStores } from '@hubbub/db';
import { readDemoEnv } from './env';

// The server's own reader: the same data dir (and port) the local Hubbub uses.
const { HUBBUB_URL: url, HUBBUB_DATA_DIR: dataDir } = readDemoEnv();
const AGENT = 'demo-agent';
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

async function demoKey(): Promise<string> {
  const file = join(dataDir, 'demo-agent.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const stores = await createSqliteStores(join(dataDir, 'hubbub.db'));
  try {
    const { id, key, prefix, secretHash } = generateApiKey();
    await stores.apiKeys.create({
      id,
      name: AGENT,
      role: 'agent',
      agents: [AGENT],
      prefix,
      secretHash,
      createdBy: 'pnpm demo',
    });
    writeFileSync(file, key, { mode: 0o600 });
    console.log(`Minted the demo agent key (kept in ${file}).`);
    return key;
  } finally {
    await stores.close();
  }
}

interface Plan {
  title: string;
  steps: string[];
  failAt?: number;
  approval?: string;
}

const PLANS: Plan[] = [
  { title: 'Index the handbook', steps: ['fetch pages', 'split into chunks', 'embed chunks', 'write index'] },
  { title: 'Import customer CSV', steps: ['download file', 'validate rows', 'upsert records'], failAt: 2 },
  {
    title: 'Publish weekly report',
    steps: ['gather metrics', 'draft summary', 'render charts', 'publish'],
    approval: 'publish the weekly report to #general',
  },
  { title: 'Refresh search cache', steps: ['scan stale keys', 'recompute', 'swap cache'] },
];

async function perform(task: Task, ctx: WorkerContext): Promise<unknown> {
  const plan = (task.input as Plan | undefined) ?? { title: task.title, steps: ['work'] };
  for (const [i, step] of plan.steps.entries()) {
    if (ctx.signal.aborted) return null;
    if (plan.approval && i === plan.steps.length - 1) {
      await ctx.log(`asking for approval: ${plan.approval}`);
      const decision = await ctx.requestApproval(plan.approval, `${plan.steps.length - 1} steps done, ready to go`);
      if (!decision.approved) throw new Error(`rejected${decision.comment ? `: ${decision.comment}` : ''}`);
    }
    await ctx.progress(i, { total: plan.steps.length, step });
    await ctx.log(`${step}…`);
    await sleep(1200 + Math.random() * 1500, ctx.signal);
    if (plan.failAt === i) throw new Error(`${step} failed: 3 rows have an invalid e-mail address`);
    await ctx.progress(i + 1, { total: plan.steps.length, step });
  }
  return { steps: plan.steps.length, finishedAt: new Date().toISOString() };
}

const key = await demoKey();
const worker = runWorker({
  url,
  key,
  agent: AGENT,
  handle: perform,
  onEvent: (e) => {
    if (e.type === 'retrying') console.log(`waiting for Hubbub at ${url}… (${e.error})`);
    else console.log(`${e.type.padEnd(9)} ${e.task.title}${e.type === 'failed' ? ` — ${e.error}` : ''}`);
  },
});

// Queue the sample plans now, then one more every 20 seconds, so the board keeps moving.
const { createHubbubClient } = await import('@hubbub/client');
const hub = createHubbubClient({ url, token: key });
let next = 0;
async function queueOne() {
  const plan = PLANS[next++ % PLANS.length] as Plan;
  await hub.api.task.create.mutate({ title: plan.title, agent: AGENT, input: plan, totalSteps: plan.steps.length });
}
for (let i = 0; i < PLANS.length; i++) await queueOne();
console.log(`Demo worker running for "${AGENT}". Open ${url}/tasks — Ctrl-C stops.`);
const timer = setInterval(() => queueOne().catch(() => {}), 20_000);

process.on('SIGINT', async () => {
  clearInterval(timer);
  await worker.stop();
  await hub.close();
  process.exit(0);
});
