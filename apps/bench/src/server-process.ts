import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_ARGS } from '@hubbub/server/node-args';
import { parseProcStat, parseRss } from './stats';

export type ServerKind = 'raw-ws-floor' | 'raw-ws' | 'stock-trpc' | 'trpc-ws' | 'socketio' | 'hubbub';

/** Each server's name in the report and the chart. */
export const SERVER_NAMES: Record<ServerKind, string> = {
  // One frame built per message, the same bytes written to every socket: what a broadcast cannot go below.
  'raw-ws-floor': 'raw ws floor: one frame, one write',
  'raw-ws': 'raw ws broadcast',
  // The two tRPC rows serve the same tracked() generator: they differ in the adapter alone.
  'stock-trpc': 'tRPC generator on the stock adapter',
  'trpc-ws': 'tRPC generator on @hubbub/trpc-ws',
  socketio: 'Socket.IO rooms',
  hubbub: 'Hubbub',
};

export interface ServerProcess {
  kind: ServerKind;
  port: number;
  pid: number;
  /** User + system CPU seconds the server process has used so far. */
  cpuSeconds(): number;
  /** Resident memory in bytes, now. */
  rss(): number;
  /** Asks the server for a full garbage collection (memory figures then count what is kept, not garbage). */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one server program in its own process, so its CPU and memory can be read from /proc. */
export async function startServer(kind: ServerKind, env: Record<string, string> = {}): Promise<ServerProcess> {
  const entry = fileURLToPath(new URL(`./servers/${kind}.ts`, import.meta.url));
  // BENCH_PROFILE_DIR=… writes a V8 CPU profile of each server (profile before optimizing).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  // BENCH_NODE_FLAGS="--perf-prof …": Node and V8 flags for the servers alone (NODE_OPTIONS refuses most V8 flags).
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, ...flags, '--expose-gc', ...SERVER_NODE_ARGS, entry],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before it was ready`)));
  });
  const pid = child.pid as number;
  return {
    kind,
    port,
    pid,
    cpuSeconds: () => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rss: () => parseRss(readFileSync(`/proc/${pid}/status`, 'utf8')),
    collectGarbage: async () => {
      child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    // SIGTERM first (a profiled server writes its profile on exit), SIGKILL if it lingers.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Resolves once the server has used under a tenth of a core for half a second
 * (a backlog it was still sending is done), or after `timeoutMs`.
 */
export async function untilQuiet(server: ServerProcess, timeoutMs = 120_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (let cpu = server.cpuSeconds(); performance.now() < end; ) {
    await sleep(500);
    const now = server.cpuSeconds();
    if (now - cpu < 0.05) return;
    cpu = now;
  }
}
