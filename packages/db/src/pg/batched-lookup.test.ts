import { describe, expect, it } from 'vitest';
import { createBatchedLookup } from './batched-lookup';

describe('batched lookups', () => {
  it('sends the lookups of one turn together and those asked meanwhile in the next, each answered in order', async () => {
    const batches: number[][] = [];
    let release = () => {};
    const lookUp = createBatchedLookup(async (queries: readonly number[]) => {
      batches.push([...queries]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return queries.map((q) => q * 10);
    });
    const first = [lookUp(1), lookUp(2), lookUp(3)];
    await new Promise((resolve) => setImmediate(resolve));
    // Asked while the first statement is in flight: they wait for it, then go out together.
    const later = [lookUp(4), lookUp(5)];
    release();
    expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('fails a whole batch when its statement fails, and the next batch runs', async () => {
    let calls = 0;
    const lookUp = createBatchedLookup(async (queries: readonly string[]) => {
      calls++;
      if (calls === 1) throw new Error('connection lost');
      return queries.map((q) => q.toUpperCase());
    });
    const failed = await Promise.allSettled([lookUp('a'), lookUp('b')]);
    expect(failed.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await lookUp('c')).toBe('C');
  });

  it('with a window, gathers the lookups asked within it after the first into one statement', async () => {
    const batches: number[][] = [];
    const lookUp = createBatchedLookup(
      async (queries: readonly number[]) => {
        batches.push([...queries]);
        return [...queries];
      },
      { gatherMs: 30 },
    );
    const first = lookUp(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = lookUp(2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([]);
    expect(await Promise.all([first, second, lookUp(3)])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits more lookups than a batch takes over several statements', async () => {
    const sizes: number[] = [];
    const lookUp = createBatchedLookup(
      async (queries: readonly number[]) => {
        sizes.push(queries.length);
        return [...queries];
      },
      { maxBatch: 4 },
    );
    const asked = Array.from({ length: 10 }, (_, i) => i);
    expect(await Promise.all(asked.map(lookUp))).toEqual(asked);
    expect(sizes).toEqual([4, 4, 2]);
  });
});
