/**
 * The storm's Hubbub: the real server on SQLite in STORM_DATA_DIR (kept across restarts, unlike the main
 * bench's), listening on STORM_PORT, no rate limits or per-address cap (the load is one address).
 */
import { NO_RATE_LIMITS } from '@hubbub/api';
import { createHubbub } from '@hubbub/server/hubbub';
import { createLogger } from '@hubbub/server/logger';

const dataDir = process.env.STORM_DATA_DIR;
const port = Number(process.env.STORM_PORT ?? 0);
if (!dataDir) throw new Error('STORM_DATA_DIR is required');

const hubbub = await createHubbub({
  dataDir,
  secret: 'storm-secret-storm-secret-storm-secret',
  tokenTtlSeconds: 3600,
  allowedOrigins: [],
  maxConnectionsPerAddress: 0,
  webDir: `${dataDir}/no-web`,
  logger: createLogger('silent'),
  limits: NO_RATE_LIMITS,
  assistant: { offlineTokenIntervalMs: 30 },
});
const listening = await hubbub.listen(port, '127.0.0.1');
console.log(`READY ${listening}`);
process.on('SIGTERM', async () => {
  await hubbub.shutdown();
  process.exit(0);
});
