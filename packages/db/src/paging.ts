/**
 * A newest-first page read with `limit + 1` rows: the items, and the cursor
 * for the next (older) page, which is null when this page is the last.
 */
export function newestFirstPage<Row, Item extends { seq: number }>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: number | null } {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(toItem);
  return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
}

/**
 * A LIKE pattern for names starting with `query` (lowercased). `%` and `\` are dropped; an `_` stays a
 * one-character wildcard, which only widens a people search a little.
 */
export const likePrefix = (query: string | undefined) => `${(query ?? '').toLowerCase().replace(/[%\\]/g, '')}%`;
