/**
 * Runs at most `concurrency` jobs at once, with at most `maxQueued` waiting;
 * past that a job is dropped (and `onDrop` told), so a flood of notifications
 * cannot grow the server's memory. Jobs handle their own errors.
 */
export function createBoundedQueue(options: { concurrency: number; maxQueued: number; onDrop(): void }) {
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  const idle: (() => void)[] = [];
  let closed = false;

  const next = () => {
    while (running < options.concurrency && waiting.length > 0) {
      const job = waiting.shift() as () => Promise<void>;
      running++;
      void job().finally(() => {
        running--;
        next();
      });
    }
    if (running === 0 && waiting.length === 0) for (const resolve of idle.splice(0)) resolve();
  };

  return {
    push(job: () => Promise<void>): void {
      if (closed) return;
      // Full: every slot running and the waiting line at its length (0: no job waits, it runs or is dropped).
      if (running >= options.concurrency && waiting.length >= options.maxQueued) {
        options.onDrop();
        return;
      }
      waiting.push(job);
      next();
    },
    /** Resolves once nothing runs or waits (shutdown, tests). */
    /** Takes no more jobs, drops the waiting ones, and resolves once the running ones end. */
    close(): Promise<void> {
      closed = true;
      waiting.length = 0;
      return this.idle();
    },
    idle(): Promise<void> {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
