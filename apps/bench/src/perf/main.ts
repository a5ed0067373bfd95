/**
 * `pnpm bench:perf-share <perf.data>`: of a Hubbub server's perf recording (`perf record -g` with
 * `--perf-basic-prof`, so V8's functions are named), the main thread's samples in the fan-out's user-space time
 * (under the hub's `fanOut`, not in a system call) and the share of them whose innermost JavaScript frame is
 * Hubbub's own code rather than Node's write path (share.ts).
 */
import { execFileSync } from 'node:child_process';
import { fanOutShare, perfSamples } from './share';

const file = process.argv[2];
if (!file) {
  console.error('usage: pnpm bench:perf-share <perf.data>');
  process.exit(1);
}
const text = execFileSync('perf', ['script', '-i', file, '-F', 'tid,ip,sym'], {
  encoding: 'utf8',
  maxBuffer: 1 << 30,
  stdio: ['ignore', 'pipe', 'ignore'],
});
const { samples, own, share } = fanOutShare(perfSamples(text));
console.log(`fan-out user-space samples ${samples}, Hubbub's own code ${own}: share ${share.toFixed(3)}`);
