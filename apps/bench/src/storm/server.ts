/**
 * The storm's Hubbub: the real server on SQLite in STORM_DATA_DIR (kept across restarts, unlike the main
 * bench's), listening on STORM_PORT, no rate limits or per-address cap (the load is one address).
 */
import { Server } from 'node:net';
import { NO_RATE_LIMITS } from '@hubbub/api';
import { createHubbub } from '@hubbub/server/hubbub';
import { createLogger } from '@hubbub/server/logger';

const dataDir = process.env.STORM_DATA_DIR;
const port = Number(process.env.STORM_PORT ?? 0);
if (!dataDir) throw new Error('STORM_DATA_DIR is required');

// --backlog=N (STORM_BACKLOG): listen with an accept queue of N instead of the server's (4,096), to measure what the
// queue costs a storm (a connection the full queue drops is retried by the client's kernel 1, 3, 7, 15 s later).
const backlog = Number(process.env.STORM_BACKLOG ?? 0);
if (backlog > 0) {
  const listen = Server.prototype.listen as (this: Server, ...params: unknown[]) => Server;
  Server.prototype.listen = function (this: Server, ...params: unknown[]) {
    const [options, callback] = params;
    if (typeof options !== 'object' || options === null) return listen.apply(this, params);
    return listen.call(this, { ...options, backlog }, callback);
  } as typeof Server.prototype.listen;
}

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
