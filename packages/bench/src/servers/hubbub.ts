/** Hubbub itself: the real server (SQLite on disk, channel.onEvent + message.send), authenticated. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubbub } from '@hubbub/server/hubbub';
import { createLogger } from '@hubbub/server/logger';

const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-bench-'));
const hubbub = await createHubbub({
  dataDir,
  secret: 'bench-secret-bench-secret-bench-secret',
  tokenTtlSeconds: 3600,
  allowedOrigins: [],
  webDir: join(dataDir, 'no-web'),
  logger: createLogger('silent'),
  rateLimit: { burst: 1e9, perSecond: 1e9 },
  assistant: { offlineTokenIntervalMs: Number(process.env.BENCH_TOKEN_MS ?? 0) },
});
const port = await hubbub.listen(0, '127.0.0.1');
console.log(`READY ${port}`);
process.on('SIGTERM', () => hubbub.shutdown().then(() => process.exit(0)));
