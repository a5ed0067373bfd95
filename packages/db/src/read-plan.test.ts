import { describe, expect, it } from 'vitest';
import { type ReadPlan, read, runLater, runNow } from './read-plan';

/** Reads `n` once, then `n + 1` when the first answer was even: two reads, the second depending on the first. */
function* twoReads(fetch: (n: number) => number | Promise<number>, n: number): ReadPlan<number[]> {
  const first = yield* read(fetch(n));
  const second = first % 2 === 0 ? yield* read(fetch(first + 1)) : null;
  return second === null ? [first] : [first, second];
}

describe('read plans', () => {
  it('run now on reads that answer at once', () => {
    expect(runNow(twoReads((n) => n * 2, 3))).toEqual([6, 7 * 2]);
    expect(runNow(twoReads((n) => n, 3))).toEqual([3]);
  });

  it('run later on reads that answer with promises, to the same result', async () => {
    expect(await runLater(twoReads(async (n) => n * 2, 3))).toEqual([6, 14]);
  });

  it('refuse to run now on a read that answers with a promise', () => {
    expect(() => runNow(twoReads(async (n) => n, 3))).toThrow(/promise/);
  });

  it('fail where the read failed, so the plan can clean up', async () => {
    const cleaned: string[] = [];
    function* plan(): ReadPlan<string> {
      try {
        return String(yield* read(Promise.reject(new Error('gone'))));
      } finally {
        cleaned.push('done');
      }
    }
    await expect(runLater(plan())).rejects.toThrow('gone');
    expect(cleaned).toEqual(['done']);
  });
});
