import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_ARGS } from '@hubbub/server/node-args';
import { parseProcStat } from '../stats';

const ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));

export interface StormServer {
  pid: number;
  /** When the server printed READY (it is listening): absolute ms, performance.timeOrigin + performance.now(). */
  readyAt: number;
  cpuSeconds(): number;
  /** SIGTERM (the graceful stop) or SIGKILL (a crash); resolves when the process has exited. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** A free TCP port on loopback (the restarted server must come back on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the storm's server process on `port` over `dataDir`; BENCH_PROFILE_DIR=… writes its CPU profile. */
export async function startStormServer(port: number, dataDir: string): Promise<StormServer> {
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...SERVER_NODE_ARGS, ENTRY], {
    env: { ...process.env, STORM_DATA_DIR: dataDir, STORM_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const readyAt = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      if (/READY \d+/.test(out)) resolve(performance.timeOrigin + performance.now());
    });
    child.once('exit', (code) => reject(new Error(`storm server exited (${code}) before it was ready`)));
  });
  const pid = child.pid as number;
  return {
    pid,
    readyAt,
    cpuSeconds: () => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    stop: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill(signal);
      }),
  };
}
