/**
 * The arithmetic of a virtualized list: where each row starts, given the
 * heights measured so far and an estimate for the rest, and which rows a
 * stretch of the list covers. Pure, so the list's scroll logic can ask
 * "where was this row, where is it now" without the row being in the page.
 */

/** Where each row begins: `starts[i]` for row i, `starts[n]` is the whole height. */
export type RowStarts = Float64Array;

/** Lays `count` rows end to end, each `sizeOf(i)` high. */
export function layOut(count: number, sizeOf: (index: number) => number): RowStarts {
  const starts = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) starts[i + 1] = (starts[i] ?? 0) + sizeOf(i);
  return starts;
}

/** The row under `offset` (the first or last row when it is past either end); -1 for no rows. */
export function rowAt(starts: RowStarts, offset: number): number {
  const count = starts.length - 1;
  if (count <= 0) return -1;
  // The last row whose start is at or above the offset.
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The rows [from, to) that the stretch from `top` to `bottom` touches. */
export function rowsBetween(starts: RowStarts, top: number, bottom: number): { from: number; to: number } {
  const count = starts.length - 1;
  if (count <= 0) return { from: 0, to: 0 };
  return { from: rowAt(starts, top), to: rowAt(starts, bottom) + 1 };
}

/** Whether rows [from, to) cover the whole stretch from `top` to `bottom` (clamped to the list). */
export function covers(starts: RowStarts, from: number, to: number, top: number, bottom: number): boolean {
  const count = starts.length - 1;
  if (from >= to) return count === 0;
  const wanted = rowsBetween(starts, top, bottom);
  return from <= wanted.from && to >= wanted.to;
}
