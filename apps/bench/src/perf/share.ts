/**
 * The share of Hubbub's own code in the fan-out's user-space time, from a perf recording (main.ts prints it).
 * Whole runs here get slower and faster together; the share holds still (±0.01), so it shows a change to the
 * delivery path's own code that µs figures cannot.
 */
export interface PerfSample {
  tid: string;
  /** Symbols, innermost first. */
  frames: string[];
}

/** The samples of `perf script -F tid,ip,sym` output: a thread id line, then one line per frame. */
export function perfSamples(text: string): PerfSample[] {
  const samples: PerfSample[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const [head, ...lines] = block.trim().split('\n');
    if (!head) continue;
    // "    7f12ab34 JS:*fanOut file:///…": the address, then the symbol (which may contain spaces).
    const frames = lines.map((line) => line.trim().replace(/^\S+\s*/, ''));
    samples.push({ tid: head.trim().split(/\s+/)[0] ?? '', frames });
  }
  return samples;
}

export interface FanOutShare {
  /** Main-thread samples in the fan-out's user-space time. */
  samples: number;
  /** Of those, the ones whose innermost JavaScript frame is Hubbub's own code. */
  own: number;
  share: number;
}

/** The main thread is the one with the most samples (the server's event loop). */
export function fanOutShare(samples: PerfSample[], loop = 'fanOut', ownCode = '/packages/'): FanOutShare {
  const perThread = new Map<string, number>();
  for (const { tid } of samples) perThread.set(tid, (perThread.get(tid) ?? 0) + 1);
  const main = [...perThread].sort((a, b) => b[1] - a[1])[0]?.[0];
  let inLoop = 0;
  let own = 0;
  for (const { tid, frames } of samples) {
    if (tid !== main || !frames.some((frame) => frame.includes(loop))) continue;
    if (frames.some((frame) => frame.startsWith('entry_SYSCALL'))) continue;
    inLoop++;
    if (frames.find((frame) => frame.startsWith('JS:'))?.includes(ownCode)) own++;
  }
  return { samples: inLoop, own, share: inLoop === 0 ? 0 : own / inLoop };
}
