import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LimitSettings, NO_RATE_LIMITS } from '@hubbub/api';
import { createHubbubClient, type HubbubClient, type HubbubClientOptions } from '@hubbub/client';
import { createHubbub, type Hubbub, type HubbubConfig } from '../hubbub';
import { createLogger } from '../logger';
import { loadOrCreateSecret } from '../secret';

export interface TestServerOptions {
  /** Reuse a data dir (restart tests); default: a fresh temporary one, removed on stop. */
  dataDir?: string;
  secret?: string;
  limits?: Partial<LimitSettings>;
  sessionMaxAgeMs?: number;
  tokenTtlSeconds?: number;
  signInTimeoutMs?: number;
  maxBufferedBytes?: number;
  maxPayloadBytes?: number;
  /** Largest file upload (default 10 MiB). */
  maxUploadBytes?: number;
  allowedOrigins?: string[];
  webDir?: string;
  keepAlive?: { pingMs: number; pongWaitMs: number };
  taskTimeoutMs?: number;
  assistant?: HubbubConfig['assistant'];
  /** PostgreSQL / Redis instead of SQLite / the in-process bus. */
  postgres?: HubbubConfig['postgres'];
  redis?: HubbubConfig['redis'];
  /** Open connections per client address; default 0 = no cap (tests open many sockets from 127.0.0.1). */
  maxConnectionsPerAddress?: number;
  trustedProxies?: string[];
  metricsToken?: string;
  httpTimeouts?: HubbubConfig['httpTimeouts'];
  /** Web Push settings; tests with a push service stand-in set `allowLoopbackEndpoints`. */
  push?: HubbubConfig['push'];
  /** Listen on this port (restart tests); default: any free port. */
  port?: number;
  /** Receives the server's log lines (default: silent unless LOG_LEVEL is set). */
  logTo?: { write(line: string): void };
}

export interface TestServer {
  hubbub: Hubbub;
  port: number;
  url: string;
  wsUrl: string;
  dataDir: string;
  secret: string;
  /** Signs a user up over HTTP and returns the token and user. */
  signup(
    handle: string,
    password?: string,
  ): Promise<{ token: string; user: { id: string; handle: string; role: string } }>;
  /** A real client over real sockets; closed by stop(). */
  client(token?: string, options?: Partial<HubbubClientOptions>): HubbubClient;
  /** Closes every client, then the server (and removes a temporary data dir unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** Starts a real Hubbub on port 0 (HTTP + WebSocket) for one test. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hubbub-test-'));
  // Same path as production: a secret generated on first start and kept in the data dir.
  const secret = loadOrCreateSecret(dataDir, options.secret);
  const hubbub = await createHubbub({
    dataDir,
    secret,
    allowedOrigins: options.allowedOrigins ?? [],
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 0,
    trustedProxies: options.trustedProxies,
    metricsToken: options.metricsToken,
    httpTimeouts: options.httpTimeouts,
    webDir: options.webDir ?? join(dataDir, 'no-web'),
    logger: options.logTo ? createLogger('debug', options.logTo) : createLogger(process.env.LOG_LEVEL ?? 'silent'),
    // Tests burst far past a person's pace from one address: limits are off unless a test sets one.
    limits: {
      ...NO_RATE_LIMITS,
      ...(options.maxBufferedBytes ? { maxBufferedBytes: options.maxBufferedBytes } : {}),
      ...options.limits,
    },
    sessionMaxAgeMs: options.sessionMaxAgeMs,
    signInTimeoutMs: options.signInTimeoutMs,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    maxPayloadBytes: options.maxPayloadBytes,
    maxUploadBytes: options.maxUploadBytes,
    keepAlive: options.keepAlive,
    taskTimeoutMs: options.taskTimeoutMs,
    postgres: options.postgres,
    redis: options.redis,
    push: options.push,
    assistant: options.assistant ?? { offlineTokenIntervalMs: 2 },
  });
  const port = await hubbub.listen(options.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const clients: HubbubClient[] = [];

  return {
    hubbub,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    secret,
    async signup(handle, password = 'correct horse battery') {
      const res = await fetch(`${url}/trpc/auth.signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handle, password }),
      });
      const body = (await res.json()) as {
        result?: { data: { token: string; user: { id: string; handle: string; role: string } } };
      };
      if (!body.result) throw new Error(`signup failed: ${JSON.stringify(body)}`);
      return body.result.data;
    },
    client(token, clientOptions) {
      const client = createHubbubClient({ url, token, ...clientOptions });
      clients.push(client);
      return client;
    },
    async stop({ keepData = false } = {}) {
      await Promise.all(clients.map((c) => c.close()));
      await hubbub.shutdown();
      if (ownDir && !keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
