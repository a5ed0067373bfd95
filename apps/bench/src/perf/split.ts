/**
 * Where a server's CPU goes per message, from a perf recording of a fan-out run: the main thread's fan-out (its
 * system calls, the socket writes in the kernel, and its user-space time), the rest of the main thread (the
 * message's own path: receive, call, validate, store, acknowledge) and the other threads (V8's collector and
 * compiler, workers). Set beside the floor's, it says which part of the gap is per delivery and which per message.
 */
import { inSystemCall, mainThread, type PerfSample } from './share';

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

/**
 * Samples counted into CPU µs per message, given perf's sampling rate (`hz`) and the messages sent while the
 * samples were taken. A sample in a frameless builtin (a call trampoline) loses its caller's frame when perf
 * unwinds by frame pointers, so a small part of the fan-out lands in `rest`: compare splits with each other,
 * not with a figure of another kind.
 */
export function cpuSplit(samples: PerfSample[], options: { loop: string; hz: number; messages: number }): CpuSplit {
  const main = mainThread(samples);
  const split: CpuSplit = { fanOutSystem: 0, fanOutUser: 0, rest: 0, gc: 0, compile: 0, otherThreads: 0 };
  for (const { tid, frames } of samples) {
    if (tid !== main) {
      if (frames.some((frame) => GC.test(frame))) split.gc++;
      else if (frames.some((frame) => COMPILE.test(frame))) split.compile++;
      else split.otherThreads++;
    } else if (!frames.some((frame) => frame.includes(options.loop))) split.rest++;
    else if (inSystemCall(frames)) split.fanOutSystem++;
    else split.fanOutUser++;
  }
  const usPerMessage = 1e6 / options.hz / options.messages;
  for (const key of Object.keys(split) as (keyof CpuSplit)[]) split[key] = Math.round(split[key] * usPerMessage);
  return split;
}
