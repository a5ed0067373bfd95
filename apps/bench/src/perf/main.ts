/**
 * `pnpm bench:perf-share <perf.data> [--loop=fanOut] [--rate=50] [--window=9.5,1.5] [--rest=N]`: of a server's perf
 * recording (`perf record -g`, with `--perf-basic-prof` so V8's functions are named):
 * - the share of Hubbub's own code in the fan-out's user-space time (the main thread's samples under the hub's
 *   `fanOut`, not in a system call, whose innermost JavaScript frame is Hubbub's rather than Node's write path:
 *   share.ts);
 * - where the CPU goes per message (split.ts), over the seconds `--window` before the recording's end: record a
 *   server's whole life and the default is the measured run of a one-round fan-out (500 messages at `--rate`
 *   a second; the server stops a second after it). `--loop` names the fan-out's function (the floor's is
 *   `raw-ws-floor.ts`);
 * - with `--rest=N`, the N frames the rest of the main thread (the message's own path) spends most under.
 */
import { execFileSync } from 'node:child_process';
import { parseFlags, wholeNumberFlag } from '../flags';
import { fanOutShare, perfSamples } from './share';
import { cpuSplit, restFrames } from './split';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: pnpm bench:perf-share <perf.data> [--loop=fanOut] [--rate=50] [--window=9.5,1.5] [--rest=N]');
  process.exit(1);
}
const flags = parseFlags(args);
const loop = flags.loop ?? 'fanOut';
const rate = Number(flags.rate ?? 50);
const [from = 9.5, to = 1.5] = (flags.window ?? '9.5,1.5').split(',').map(Number);

const script = (...args: string[]) =>
  execFileSync('perf', ['script', '-i', file, ...args], {
    encoding: 'utf8',
    maxBuffer: 2 ** 31 - 1,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
const end = Number.parseFloat(script('-F', 'time').trimEnd().split('\n').at(-1) ?? '0');
const hz = Number(
  /sample_freq \}: (\d+)/.exec(execFileSync('perf', ['evlist', '-v', '-i', file], { encoding: 'utf8' }))?.[1] ?? 4000,
);
const samples = perfSamples(
  script('--time', `${(end - from).toFixed(6)},${(end - to).toFixed(6)}`, '-F', 'tid,ip,sym'),
);

const { samples: inLoop, own, share } = fanOutShare(samples, loop);
console.log(`fan-out user-space samples ${inLoop}, Hubbub's own code ${own}: share ${share.toFixed(3)}`);
const splitOptions = { loop, hz, messages: (from - to) * rate };
const split = cpuSplit(samples, splitOptions);
console.log(
  `CPU µs per message over ${from - to} s at ${rate}/s: main thread: fan-out system calls ${split.fanOutSystem}, ` +
    `fan-out user space ${split.fanOutUser}, the rest ${split.rest}; other threads: garbage collector ${split.gc}, ` +
    `compiler ${split.compile}, other ${split.otherThreads}`,
);
const top = wholeNumberFlag('rest', flags.rest, 0, 0);
if (top > 0) {
  console.log('the rest of the main thread by frame (µs per message, inclusive):');
  for (const { frame, us } of restFrames(samples, { ...splitOptions, top })) {
    console.log(`${String(us).padStart(7)}  ${frame}`);
  }
}
