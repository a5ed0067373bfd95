import type { Message, PendingMessage } from './types';

/** Consecutive messages by one author this close together share a header. */
const GROUP_MS = 5 * 60_000;

export type Row =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'pending'; key: string; pending: PendingMessage };

/** One element of the message list, in order: each is its own <li>, measured and virtualized on its own. */
export type ListItem =
  | { kind: 'top'; key: string }
  | { kind: 'day'; key: string; at: string }
  | { kind: 'unread'; key: string }
  | { kind: 'row'; key: string; row: Row; compact: boolean }
  | { kind: 'bottom'; key: string };

/** A guess at an item's height before it has been in the page (CSS pixels, margins included). */
export function estimatedHeight(item: ListItem): number {
  if (item.kind === 'row') return item.compact ? 26 : 62;
  if (item.kind === 'top' || item.kind === 'bottom') return 50;
  return 38;
}

interface Stamp {
  ms: number;
  day: string;
}

/** A row's time and local day, worked out once per message object (the list is rebuilt on every page and event). */
const stamps = new WeakMap<object, Stamp>();
function stampOf(row: Row): Stamp {
  const source = row.kind === 'message' ? row.message : row.pending;
  let stamp = stamps.get(source);
  if (!stamp) {
    const date = new Date(source.createdAt);
    stamp = { ms: date.getTime(), day: date.toDateString() };
    stamps.set(source, stamp);
  }
  return stamp;
}

/**
 * The list's items: the top line (older messages / the beginning), a day
 * divider where the day changes, "New messages" above the first unread, the
 * rows (grouped under one header when close together by one author), and
 * the "newer messages" line of a window that has not reached the newest.
 */
export function listItems(
  rows: readonly Row[],
  { myId, firstUnread, detached }: { myId: string; firstUnread: string | null; detached: boolean },
): ListItem[] {
  const items: ListItem[] = [{ kind: 'top', key: 'list-top' }];
  let prev: { row: Row; stamp: Stamp } | null = null;
  for (const row of rows) {
    const stamp = stampOf(row);
    const author = row.kind === 'message' ? row.message.authorId : myId;
    const prevAuthor = prev ? (prev.row.kind === 'message' ? prev.row.message.authorId : myId) : undefined;
    const newDay = !prev || prev.stamp.day !== stamp.day;
    const compact =
      !newDay &&
      prev !== null &&
      prevAuthor === author &&
      stamp.ms - prev.stamp.ms < GROUP_MS &&
      !(row.kind === 'message' && row.message.role !== 'user');
    if (newDay) {
      items.push({
        kind: 'day',
        key: `day:${row.key}`,
        at: row.kind === 'message' ? row.message.createdAt : row.pending.createdAt,
      });
    }
    if (row.key === firstUnread) items.push({ kind: 'unread', key: 'unread-divider' });
    items.push({ kind: 'row', key: row.key, row, compact });
    prev = { row, stamp };
  }
  if (detached) items.push({ kind: 'bottom', key: 'list-bottom' });
  return items;
}
