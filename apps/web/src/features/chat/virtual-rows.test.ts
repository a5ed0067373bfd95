import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { covers, layOut, rowAt, rowsBetween } from './virtual-rows';

describe('virtual rows', () => {
  const starts = layOut(4, (i) => [10, 20, 30, 40][i] ?? 0);

  it('lays rows end to end: each starts where the one above ends, the last entry is the whole height', () => {
    expect([...starts]).toEqual([0, 10, 30, 60, 100]);
  });

  it('finds the row under an offset, the first or last past either end', () => {
    expect([0, 9.9, 10, 29, 30, 99, 100, 500].map((y) => rowAt(starts, y))).toEqual([0, 0, 1, 1, 2, 3, 3, 3]);
    expect(rowAt(starts, -50)).toBe(0);
    expect(
      rowAt(
        layOut(0, () => 10),
        0,
      ),
    ).toBe(-1);
  });

  it('gives the rows a stretch touches, and whether a range covers a stretch', () => {
    expect(rowsBetween(starts, 15, 35)).toEqual({ from: 1, to: 3 });
    expect(rowsBetween(starts, -100, 1000)).toEqual({ from: 0, to: 4 });
    expect(covers(starts, 1, 3, 15, 35)).toBe(true);
    expect(covers(starts, 1, 2, 15, 35)).toBe(false);
    expect(covers(starts, 0, 4, -100, 1000)).toBe(true);
  });

  it('the row found for any offset inside the list contains it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (heights, where) => {
          const laid = layOut(heights.length, (i) => heights[i] ?? 0);
          const total = laid[heights.length] ?? 0;
          const y = where * total * 0.999;
          const at = rowAt(laid, y);
          expect(laid[at]).toBeLessThanOrEqual(y);
          expect(laid[at + 1]).toBeGreaterThan(y);
        },
      ),
    );
  });
});
