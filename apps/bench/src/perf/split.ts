/**
 * Where a server's CPU goes per message, from a perf recording of a fan-out run: the main thread's fan-out (its
 * system calls, the socket writes in the kernel, and its user-space time), the rest of the main thread (the
 * message's own path: receive, call, validate, store, acknowledge) and the other threads (V8's collector and
 * compiler, workers). Set beside the floor's, it says which part of the gap is per delivery and which per message.
 */
import { inLoop, inSystemCall, mainThread, type PerfSample } from './share';

export interface CpuSplit {
  /** The main thread: its fan-out's system calls and user-space time, and the rest. */
  fanOutSystem: number;
  fanOutUser: number;
  rest: number;
  /** Other threads: the garbage collector's work, the optimizing compiler's, and everything else. */
  gc: number;
  compile: number;
  otherThreads: number;
}

const GC = /Scavenge|MarkCompact|ConcurrentMarking|Marking|Sweeper|Evacuat|PointersUpdating|MemoryAllocator/;
const COMPILE = /compiler::|Compile|Turbofan/;

/** Where the fan-out is, and what the samples stand for. */
export interface SplitOptions {
  /** The fan-out's function: a main-thread sample with it on the stack is the fan-out's. */
  loop: string;
  /** perf's sampling rate, and the messages sent while the samples were taken. */
  hz: number;
  messages: number;
}

/** What one sample stands for: CPU µs per message. */
const usPerSample = ({ hz, messages }: SplitOptions) => 1e6 / hz / messages;

/**
 * Samples counted into CPU µs per message, given perf's sampling rate (`hz`) and the messages sent while the
 * samples were taken. A sample in a frameless builtin (a call trampoline) loses its caller's frame when perf
 * unwinds by frame pointers, so a small part of the fan-out lands in `rest`: compare splits with each other,
 * not with a figure of another kind.
 */
export function cpuSplit(samples: PerfSample[], options: SplitOptions): CpuSplit {
  const main = mainThread(samples);
  const split: CpuSplit = { fanOutSystem: 0, fanOutUser: 0, rest: 0, gc: 0, compile: 0, otherThreads: 0 };
  for (const { tid, frames } of samples) {
    if (tid !== main) {
      if (frames.some((frame) => GC.test(frame))) split.gc++;
      else if (frames.some((frame) => COMPILE.test(frame))) split.compile++;
      else split.otherThreads++;
    } else if (!inLoop(frames, options.loop)) split.rest++;
    else if (inSystemCall(frames)) split.fanOutSystem++;
    else split.fanOutUser++;
  }
  const us = usPerSample(options);
  for (const key of Object.keys(split) as (keyof CpuSplit)[]) split[key] = Math.round(split[key] * us);
  return split;
}

/** The event loop's and V8's own frames, on nearly every stack: they say nothing about which part of a path. */
const SCAFFOLDING = /^(uv_|node::|v8::|Builtins_|__libc|_start|start_thread|\[unknown\])/;

/**
 * The rest of the main thread (the message's own path) by frame: for each frame, the CPU µs per message of the
 * rest's samples with it on the stack (inclusive), the heaviest `top` first, the event loop's and V8's own
 * frames left out. It says which part of the path a gap in `rest` is in (the store's transaction, the receive,
 * the tRPC call) without a profiler's viewer.
 */
export function restFrames(
  samples: PerfSample[],
  options: SplitOptions & { top: number },
): { frame: string; us: number }[] {
  const main = mainThread(samples);
  const counts = new Map<string, number>();
  for (const { tid, frames } of samples) {
    if (tid !== main || inLoop(frames, options.loop)) continue;
    for (const frame of new Set(frames)) {
      if (!SCAFFOLDING.test(frame)) counts.set(frame, (counts.get(frame) ?? 0) + 1);
    }
  }
  const us = usPerSample(options);
  // Map keeps first-seen order, and sort is stable: equal counts stay in the order the samples met them.
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.top)
    .map(([frame, count]) => ({ frame, us: Math.round(count * us) }));
}
