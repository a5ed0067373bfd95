import { and, eq, lte, sql } from 'drizzle-orm';
import { pruneThrough } from '../stream-log';
import type { PgTx } from './open';
import { channelEvents, channels } from './schema';

/**
 * The channel stream log's two writes for a batch of sends, one statement
 * each however many events: what `log.next` and `log.write`
 * (./stream-log.ts) do for one event, done for `count` consecutive ones. Same
 * head row, same lock, same pruning rule; the group commit of sends uses them.
 */

/** Takes the channel's next `count` offsets (locking its row until commit, as log.next does); returns the last. */
export async function takeChannelOffsets(tx: PgTx, channelId: string, count: number, stampAt: string) {
  const [row] = await tx
    .update(channels)
    .set({ lastOffset: sql`${channels.lastOffset} + ${count}`, lastMessageAt: stampAt })
    .where(eq(channels.id, channelId))
    .returning({ last: channels.lastOffset });
  return row?.last ?? null;
}

type EventRow = typeof channelEvents.$inferInsert;

/** Stores the events in one insert, then prunes what a write at the newest offset that prunes would have. */
export async function writeChannelEvents(tx: PgTx, rows: EventRow[], retention: number) {
  if (rows.length === 0) return;
  await tx.insert(channelEvents).values(rows);
  const prunes = new Map<string, number>();
  for (const row of rows) {
    const upTo = pruneThrough(row.offset, retention);
    if (upTo !== null) prunes.set(row.channelId, Math.max(upTo, prunes.get(row.channelId) ?? 0));
  }
  for (const [channelId, upTo] of prunes) {
    await tx.delete(channelEvents).where(and(eq(channelEvents.channelId, channelId), lte(channelEvents.offset, upTo)));
  }
}
