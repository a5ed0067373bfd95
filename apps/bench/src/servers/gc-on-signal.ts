import { join } from 'node:path';
import v8 from 'node:v8';

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Where the memory is (V8 heap spaces vs the rest): for profiling the memory figure, not part of it. */
function memoryDetail(): string {
  const m = process.memoryUsage();
  const spaces = v8
    .getHeapSpaceStatistics()
    .map((s) => `${s.space_name}=${megabytes(s.space_size)}/${megabytes(s.space_used_size)}`)
    .join(' ');
  return `MEM rss=${megabytes(m.rss)} heapTotal=${megabytes(m.heapTotal)} heapUsed=${megabytes(m.heapUsed)} external=${megabytes(m.external)} arrayBuffers=${megabytes(m.arrayBuffers)} ${spaces}\n`;
}

/**
 * Every benchmarked server imports this: SIGUSR2 runs a full GC, so memory is compared after garbage is gone.
 * BENCH_MEMORY_DETAIL=1 prints the breakdown to stderr; BENCH_HEAP_SNAPSHOT_DIR=dir writes a heap snapshot there.
 */
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  if (process.env.BENCH_MEMORY_DETAIL) process.stderr.write(memoryDetail());
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  if (snapshotDir) v8.writeHeapSnapshot(join(snapshotDir, `${process.pid}-${Date.now()}.heapsnapshot`));
});

// A server without its own SIGTERM handler still exits normally, so --cpu-prof (BENCH_PROFILE_DIR) writes its profile.
process.on('SIGTERM', () => {
  if (process.listenerCount('SIGTERM') === 1) process.exit(0);
});
