import { pruneThrough } from '../stream-log';
import { clientOf, type PgTx } from './open';
import type { channelEvents } from './schema';

/**
 * The channel stream log's two writes for a batch of sends, one statement
 * each however many events: what `log.next` and `log.write`
 * (./stream-log.ts) do for one event, done for `count` consecutive ones. Same
 * head row, same lock, same pruning rule; the group commit of sends uses them.
 * Prepared statements of fixed text (open.ts's clientOf): the rows go as arrays.
 */

/** Takes the channel's next `count` offsets (locking its row until commit, as log.next does); returns the last. */
export async function takeChannelOffsets(tx: PgTx, channelId: string, count: number, stampAt: string) {
  const [row] = await clientOf(tx)<{ last: string }[]>`
    update channels set last_offset = last_offset + ${count}, last_message_at = ${stampAt}::timestamptz
    where id = ${channelId} returning last_offset as last`;
  return row ? Number(row.last) : null;
}

type EventRow = typeof channelEvents.$inferInsert;

/** Stores the events in one insert, then prunes what a write at the newest offset that prunes would have. */
export async function writeChannelEvents(tx: PgTx, rows: EventRow[], retention: number) {
  if (rows.length === 0) return;
  const client = clientOf(tx);
  await client`
    insert into channel_events (channel_id, "offset", type, message_id, payload, created_at)
    select channel_id, "offset", type, message_id, payload::jsonb, created_at::timestamptz
    from unnest(${rows.map((r) => r.channelId)}::text[], ${rows.map((r) => r.offset)}::bigint[],
      ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.messageId ?? null)}::text[],
      ${rows.map((r) => (r.payload == null ? null : JSON.stringify(r.payload)))}::text[],
      ${rows.map((r) => r.createdAt)}::text[])
      as t(channel_id, "offset", type, message_id, payload, created_at)`;
  const prunes = new Map<string, number>();
  for (const row of rows) {
    const upTo = pruneThrough(row.offset, retention);
    if (upTo !== null) prunes.set(row.channelId, Math.max(upTo, prunes.get(row.channelId) ?? 0));
  }
  for (const [channelId, upTo] of prunes) {
    await client`delete from channel_events where channel_id = ${channelId} and "offset" <= ${upTo}`;
  }
}
