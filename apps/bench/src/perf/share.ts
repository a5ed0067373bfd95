/**
 * The share of Hubbub's own code in the fan-out's user-space time, from a perf recording (main.ts prints it).
 * Whole runs here get slower and faster together; the share holds still (±0.01), so it shows a change to the
 * delivery path's own code that µs figures cannot.
 */
export interface PerfSample {
  tid: string;
  /** Seconds (perf's clock), when the script printed the time. */
  time?: number;
  /** Symbols, innermost first. */
  frames: string[];
}

/**
 * The samples of `perf script -F tid,ip,sym` output (or `-F tid,time,ip,sym`): a line with the thread id (and
 * the time), then one line per frame.
 */
export function perfSamples(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const [head, ...lines] = block.trim().split('\n');
    if (!head) continue;
    // "    7f12ab34 JS:*fanOut file:///…": the address, then the symbol (which may contain spaces).
    const frames = lines.map((line) => line.trim().replace(/^\S+\s*/, ''));
    const [tid = '', time] = head.trim().split(/\s+/);
    samples.push(time ? { tid, time: Number.parseFloat(time), frames } : { tid, frames });
  }
  return samples;
}

/** The main thread is the one with the most samples (the server's event loop). */
export function mainThread(samples: PerfSample[]): string | undefined {
  const perThread = new Map<string, number>();
  for (const { tid } of samples) perThread.set(tid, (perThread.get(tid) ?? 0) + 1);
  return [...perThread].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** A sample taken in a system call (the kernel's part of a write, a read, a lock). */
export const inSystemCall = (frames: string[]) => frames.some((frame) => frame.startsWith('entry_SYSCALL'));

/** Whether a sample is in the fan-out: `loop` (its function, or the floor's file) on the stack. */
export const inLoop = (frames: string[], loop: string) => frames.some((frame) => frame.includes(loop));

export interface FanOutShare {
  /** Main-thread samples in the fan-out's user-space time. */
  samples: number;
  /** Of those, the ones whose innermost JavaScript frame is Hubbub's own code. */
  own: number;
  share: number;
}

export function fanOutShare(samples: PerfSample[], loop = 'fanOut', ownCode = '/packages/'): FanOutShare {
  const main = mainThread(samples);
  let inFanOut = 0;
  let own = 0;
  for (const { tid, frames } of samples) {
    if (tid !== main || !inLoop(frames, loop)) continue;
    if (inSystemCall(frames)) continue;
    inFanOut++;
    if (frames.find((frame) => frame.startsWith('JS:'))?.includes(ownCode)) own++;
  }
  return { samples: inFanOut, own, share: inFanOut === 0 ? 0 : own / inFanOut };
}
