/**
 * Waiting for things that arrive (events, frames) without polling: whoever
 * receives calls `arrived()` (or `ended()` when no more will come), and a test
 * awaits `until(predicate)`, which is checked again on every arrival.
 */
export interface Arrivals<T> {
  arrived(): void;
  ended(): void;
  until(predicate: (items: T[]) => boolean, timeoutMs: number): Promise<T[]>;
}

export function arrivals<T>(items: T[], describe: (items: T[]) => string): Arrivals<T> {
  const waiters = new Set<() => void>();
  let finished = false;
  const wakeAll = () => {
    for (const wake of waiters) wake();
  };
  return {
    arrived: wakeAll,
    ended() {
      finished = true;
      wakeAll();
    },
    until(predicate, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = (outcome: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          outcome();
        };
        const check = () => {
          if (predicate(items)) settle(() => resolve(items));
          else if (finished) settle(() => reject(new Error(`it ended first; got ${describe(items)}`)));
        };
        const timer = setTimeout(() => settle(() => reject(new Error(`timed out; got ${describe(items)}`))), timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
