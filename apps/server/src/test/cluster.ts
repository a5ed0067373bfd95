/**
 * A scale-out cluster for integration tests: N real server processes
 * (`node --import tsx src/main.ts`) on one fresh PostgreSQL database and one
 * Redis key prefix, both unique to the run and removed by `stop()`.
 *
 * Talks to Redis with a few lines of RESP over a socket (the tests need only
 * PING, CLIENT LIST/KILL, SCAN and DEL), so it depends on no Redis library.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHubbubClient, type HubbubClient } from '@hubbub/client';
import postgres from 'postgres';
import { vi } from 'vitest';
import { SERVER_MAIN, SERVER_NODE_ARGS } from '../node-args';

/** A role that may create databases; `HUBBUB_TEST_PG_URL` overrides. */
export const PG_ADMIN_URL = process.env.HUBBUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.HUBBUB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
const quiet = { onnotice: () => {} };

// ---------------------------------------------------------------- Redis (RESP2)

type Resp = string | number | null | Resp[];

/** One Redis connection speaking RESP2; replies come back in command order. */
export class RedisConnection {
  private buffer = Buffer.alloc(0);
  private readonly waiting: { resolve(value: Resp): void; reject(error: Error): void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parseResp(this.buffer, 0);
        if (!parsed) break;
        this.buffer = this.buffer.subarray(parsed.end);
        const waiter = this.waiting.shift();
        if (parsed.value instanceof Error) waiter?.reject(parsed.value);
        else waiter?.resolve(parsed.value);
      }
    });
    const fail = (error: Error) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('redis connection closed')));
  }

  static open(url = REDIS_URL, timeoutMs = 3000): Promise<RedisConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port || 6379) });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer from Redis at ${hostname}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RedisConnection(socket));
      });
    });
  }

  command(...args: (string | number)[]): Promise<Resp> {
    const parts = args.map((a) => Buffer.from(String(a)));
    const head = `*${parts.length}\r\n`;
    const body = parts.flatMap((p) => [Buffer.from(`$${p.length}\r\n`), p, Buffer.from('\r\n')]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(Buffer.concat([Buffer.from(head), ...body]));
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

function parseResp(buf: Buffer, start: number): { value: Resp | Error; end: number } | null {
  const lineEnd = buf.indexOf('\r\n', start);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[start] as number);
  const line = buf.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return null;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Resp[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseResp(buf, at);
        if (!item) return null;
        if (item.value instanceof Error) return item;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

/** Whether PostgreSQL and Redis both answer; the reason when they do not. */
export async function probeBackends(): Promise<{ reachable: boolean; reason: string }> {
  const sql = postgres(PG_ADMIN_URL, { ...quiet, max: 1, connect_timeout: 3 });
  try {
    await sql`select 1`;
  } catch (error) {
    return { reachable: false, reason: `PostgreSQL (${redact(PG_ADMIN_URL)}): ${describeError(error)}` };
  } finally {
    await sql.end({ timeout: 1 });
  }
  try {
    const redis = await RedisConnection.open();
    try {
      const pong = await redis.command('PING');
      if (pong !== 'PONG') return { reachable: false, reason: `Redis answered PING with ${JSON.stringify(pong)}` };
    } finally {
      redis.close();
    }
  } catch (error) {
    return { reachable: false, reason: `Redis (${redact(REDIS_URL)}): ${describeError(error)}` };
  }
  return { reachable: true, reason: '' };
}

// ---------------------------------------------------------------- the cluster

export interface ClusterNode {
  index: number;
  /** HUBBUB_INSTANCE, as system.status reports it. */
  name: string;
  port: number;
  url: string;
  /** The running process, or null when killed. */
  process: ChildProcess | null;
  /** The process's output (structured log lines at LOG_LEVEL), newest last, capped. */
  log: string[];
}

export interface SignedUp {
  token: string;
  user: { id: string; handle: string; role: string };
}

export interface ClusterOptions {
  instances?: number;
  /** HUBBUB_PRESENCE_TTL_MS: how long a killed instance and its users stay listed. */
  presenceTtlMs?: number;
  /** Server log level (captured in `node.log`, never printed). Default warn. */
  logLevel?: string;
  /** More environment for every node (e.g. a limit a test wants to reach). */
  env?: Record<string, string>;
}

export interface Cluster {
  nodes: ClusterNode[];
  prefix: string;
  database: string;
  presenceTtlMs: number;
  /** A real client (HTTP + WebSocket) of node `index`; closed by stop(). */
  client(index: number, token: string): HubbubClient;
  /** Signs a user up over HTTP on node `index`. */
  signup(handle: string, index?: number): Promise<SignedUp>;
  /** One tRPC mutation over plain HTTP (one request, no batching); throws a TrpcHttpError on an error answer. */
  mutate<T = unknown>(index: number, path: string, token: string, input: unknown): Promise<T>;
  /** One tRPC query over plain HTTP. */
  query<T = unknown>(index: number, path: string, token: string | null, input?: unknown): Promise<T>;
  /** kill -9, then waits for the process to be gone. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again (same name, same port) and waits until it is ready. */
  restart(index: number): Promise<void>;
  /** Restarts any killed node. */
  ensureAllRunning(): Promise<void>;
  /** The servers' Redis bus connections (two per instance). */
  redisConnections(): Promise<{ id: string; name: string }[]>;
  /** CLIENT KILL of the servers' connections whose name matches; returns how many were killed. */
  killRedisConnections(match?: (name: string) => boolean): Promise<number>;
  /** Kills every process, closes every client, drops the database and deletes the prefix's Redis keys. */
  stop(): Promise<void>;
}

export class TrpcHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Starts `instances` Hubbub processes sharing a fresh PostgreSQL database and a fresh Redis prefix. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? 3;
  const presenceTtlMs = options.presenceTtlMs ?? 1500;
  const run = randomBytes(5).toString('hex');
  const database = `hubbub_test_cluster_${run}`;
  const prefix = `hubbub-test-cluster-${run}`;
  const secret = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-cluster-'));
  const admin = postgres(PG_ADMIN_URL, { ...quiet, max: 1 });
  const redis = await RedisConnection.open();
  const clients: HubbubClient[] = [];
  const nodes: ClusterNode[] = [];
  const dbUrl = new URL(PG_ADMIN_URL);
  dbUrl.pathname = `/${database}`;

  const spawnNode = async (node: ClusterNode) => {
    const child = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER_MAIN], {
      cwd: SERVER_DIR,
      env: {
        ...process.env,
        PORT: String(node.port),
        HOST: '127.0.0.1',
        DATABASE_URL: dbUrl.toString(),
        DATABASE_POOL_SIZE: '10',
        REDIS_URL,
        HUBBUB_REDIS_PREFIX: prefix,
        HUBBUB_SECRET: secret,
        HUBBUB_INSTANCE: node.name,
        HUBBUB_DATA_DIR: join(dataDir, node.name),
        HUBBUB_PRESENCE_TTL_MS: String(presenceTtlMs),
        // A slow built-in model: a reply streams for seconds, long enough to stop it from another instance.
        HUBBUB_OFFLINE_TOKEN_MS: '150',
        HUBBUB_WEB_DIR: join(dataDir, 'no-web'),
        // Every test client connects from 127.0.0.1: no per-address cap.
        HUBBUB_MAX_CONNECTIONS_PER_ADDRESS: '0',
        // Tests burst far past a person's pace from one address.
        HUBBUB_WRITE_BURST: '1000000',
        HUBBUB_READ_BURST: '1000000',
        HUBBUB_SIGNUPS_PER_HOUR: '1000000',
        HUBBUB_CHANNELS_PER_HOUR: '1000000',
        HUBBUB_LOGIN_ATTEMPTS_PER_HANDLE: '1000000',
        HUBBUB_LOGIN_ATTEMPTS_PER_ADDRESS: '1000000',
        LOG_LEVEL: options.logLevel ?? 'warn',
        ...options.env,
        OPENAI_BASE_URL: undefined,
        OPENAI_API_KEY: undefined,
        HUBBUB_MODEL: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.process = child;
    const keep = (chunk: Buffer) => {
      node.log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (node.log.length > 2000) node.log.splice(0, node.log.length - 2000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (node.process === child) node.process = null;
    });
    await waitUntil(
      async () => {
        if (node.process !== child) {
          throw new Error(`${node.name} exited before it was ready:\n${node.log.slice(-20).join('\n')}`);
        }
        const res = await fetch(`${node.url}/readyz`).catch(() => null);
        return res?.status === 200;
      },
      60_000,
      `${node.name} ready`,
    );
  };

  const kill = async (node: ClusterNode) => {
    const child = node.process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  const stop = async () => {
    await Promise.all(clients.splice(0).map((c) => Promise.resolve(c.close()).catch(() => {})));
    await Promise.all(nodes.map(kill));
    const problems: string[] = [];
    try {
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
    } catch (error) {
      problems.push(`drop database ${database}: ${describeError(error)}`);
    }
    try {
      await deleteKeys(redis, `${prefix}:*`);
    } catch (error) {
      problems.push(`delete Redis keys ${prefix}:*: ${describeError(error)}`);
    }
    redis.close();
    await admin.end({ timeout: 2 });
    rmSync(dataDir, { recursive: true, force: true });
    if (problems.length) throw new Error(`cluster cleanup failed: ${problems.join('; ')}`);
  };

  try {
    await admin.unsafe(`create database "${database}"`);
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      nodes.push({ index: i, name: `node-${i}`, port, url: `http://127.0.0.1:${port}`, process: null, log: [] });
    }
    await Promise.all(nodes.map(spawnNode));
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }

  const nodeAt = (index: number) => {
    const node = nodes[index];
    if (!node) throw new Error(`no node ${index}`);
    return node;
  };

  const call = async <T>(index: number, path: string, token: string | null, init: RequestInit, query = '') => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${nodeAt(index).url}/trpc/${path}${query}`, { ...init, headers });
    const body = (await res.json()) as {
      result?: { data: T };
      error?: { message: string; data?: { code?: string } };
    };
    if (!body.result) {
      throw new TrpcHttpError(
        `${path} on ${nodeAt(index).name}: ${body.error?.message ?? res.status}`,
        res.status,
        body.error?.data?.code,
      );
    }
    return body.result.data;
  };

  const redisConnections = async () => {
    const list = String(await redis.command('CLIENT', 'LIST'));
    return (
      list
        .split('\n')
        .map((line) =>
          Object.fromEntries(
            line
              .trim()
              .split(' ')
              .map((kv) => kv.split('=', 2) as [string, string]),
          ),
        )
        // The servers' bus connections (presence and the instance registry have their own, named otherwise).
        .filter((c) => typeof c.name === 'string' && c.name.startsWith(`${prefix}:bus-`))
        .map((c) => ({ id: c.id as string, name: c.name as string }))
    );
  };

  return {
    nodes,
    prefix,
    database,
    presenceTtlMs,
    client(index, token) {
      const client = createHubbubClient({ url: nodeAt(index).url, token });
      clients.push(client);
      return client;
    },
    signup: (handle, index = 0) =>
      call<SignedUp>(index, 'auth.signup', null, {
        method: 'POST',
        body: JSON.stringify({ handle, password: 'correct horse battery' }),
      }),
    mutate: (index, path, token, input) => call(index, path, token, { method: 'POST', body: JSON.stringify(input) }),
    query: (index, path, token, input) =>
      call(
        index,
        path,
        token,
        { method: 'GET' },
        input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`,
      ),
    kill: (index) => kill(nodeAt(index)),
    async restart(index) {
      const node = nodeAt(index);
      if (node.process) throw new Error(`${node.name} is running`);
      await spawnNode(node);
    },
    async ensureAllRunning() {
      await Promise.all(nodes.filter((n) => !n.process).map(spawnNode));
    },
    redisConnections,
    async killRedisConnections(match = () => true) {
      let killed = 0;
      for (const { id, name } of await redisConnections()) {
        if (!match(name)) continue;
        // 0 when it went away on its own meanwhile.
        killed += Number(await redis.command('CLIENT', 'KILL', 'ID', id));
      }
      return killed;
    },
    stop,
  };
}

async function deleteKeys(redis: RedisConnection, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = (await redis.command('SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000)) as [string, string[]];
    if (keys.length) await redis.command('DEL', ...keys);
    cursor = next;
  } while (cursor !== '0');
}

// ---------------------------------------------------------------- small helpers

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Waits until `check` holds (vi.waitFor); throws, naming `what`, after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what = 'a condition') {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
