import './gc-on-signal';
/** Hubbub itself: the real server (SQLite on disk, channel.onEvent + message.send), authenticated. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_RATE_LIMITS } from '@hubbub/api';
import { handMadeModel, type ModelProvider } from '@hubbub/assistant';
import { createHubbub } from '@hubbub/server/hubbub';
import { createLogger } from '@hubbub/server/logger';

const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-bench-'));

/** BENCH_FAST_MODEL=N: a model that streams N one-word chunks as fast as the event loop allows. */
function floodModel(chunks: number): ModelProvider {
  return handMadeModel({ provider: 'bench-flood', model: `flood-${chunks}` }, async function* (_prompt, signal) {
    for (let i = 0; i < chunks; i++) {
      if (signal.aborted) throw signal.reason;
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
      yield `w${i} `;
    }
  });
}
const fast = Number(process.env.BENCH_FAST_MODEL ?? 0);
const hubbub = await createHubbub({
  dataDir,
  secret: 'bench-secret-bench-secret-bench-secret',
  tokenTtlSeconds: 3600,
  allowedOrigins: [],
  maxConnectionsPerAddress: 0,
  webDir: join(dataDir, 'no-web'),
  logger: createLogger('silent'),
  // The load client is one address and a few users sending as fast as they can.
  limits: NO_RATE_LIMITS,
  // BENCH_DATABASE_URL / BENCH_REDIS_URL: an instance of a cluster (the cross-instance fan-out figure).
  postgres: process.env.BENCH_DATABASE_URL ? { url: process.env.BENCH_DATABASE_URL } : undefined,
  redis: process.env.BENCH_REDIS_URL
    ? { url: process.env.BENCH_REDIS_URL, prefix: process.env.BENCH_REDIS_PREFIX }
    : undefined,
  assistant:
    fast > 0 ? { model: floodModel(fast) } : { offlineTokenIntervalMs: Number(process.env.BENCH_TOKEN_MS ?? 30) },
});
const port = await hubbub.listen(0, '127.0.0.1');
console.log(`READY ${port}`);
process.on('SIGTERM', async () => {
  await hubbub.shutdown();
  // Each run starts from an empty database; leave nothing behind in the temp directory.
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
