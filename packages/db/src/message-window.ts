/**
 * Pages that move both ways through a channel's main list (message.around, history `after`). Rows
 * are read with one extra per side, so "is there more" needs no count. Items come out newest first,
 * like every history page; the cursors are seqs: `nextCursor` for `before`, `newerCursor` for `after`.
 */

/** How a window of `limit` messages splits around its anchor: older ones, then newer ones. */
export function windowSides(limit: number): { older: number; newer: number } {
  const older = Math.floor((limit - 1) / 2);
  return { older, newer: limit - 1 - older };
}

/**
 * A window: `older` read newest first and `newer` read oldest first, each with up to one extra row
 * past its side of `windowSides(limit)`.
 */
export function aroundItems<Item extends { seq: number }>(
  anchor: Item,
  older: Item[],
  newer: Item[],
  limit: number,
): { items: Item[]; nextCursor: number | null; newerCursor: number | null } {
  const sides = windowSides(limit);
  const items = [...newer.slice(0, sides.newer).reverse(), anchor, ...older.slice(0, sides.older)];
  return {
    items,
    nextCursor: older.length > sides.older ? (items.at(-1)?.seq ?? null) : null,
    newerCursor: newer.length > sides.newer ? (items[0]?.seq ?? null) : null,
  };
}

/**
 * A newer page: `rows` read oldest first after a seq (`limit + 1` of them), and whether anything older
 * than the first of them is in the list. `nextCursor` then pages back from the page's oldest.
 */
export function newerPage<Item extends { seq: number }>(
  rows: Item[],
  limit: number,
  after: number,
  olderExists: boolean,
): { items: Item[]; nextCursor: number | null; newerCursor: number | null } {
  const more = rows.length > limit;
  const items = rows.slice(0, limit).reverse();
  return {
    items,
    nextCursor: olderExists ? (items.at(-1)?.seq ?? after + 1) : null,
    newerCursor: more ? (items[0]?.seq ?? null) : null,
  };
}

/** `items` in the order of `ids` (a read by ids comes back in any order); ids with no item are left out. */
export function inOrder<Item extends { id: string }>(ids: readonly string[], items: readonly Item[]): Item[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
