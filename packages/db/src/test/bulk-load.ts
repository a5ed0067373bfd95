import postgres from 'postgres';
import { openSqlite } from '../sqlite/open';
import { createSearchBacklog } from '../sqlite/search-backlog';

/**
 * Rows written straight into a migrated database, past the stores: how a
 * benchmark fills a million messages in a minute instead of an hour. The
 * stores' own rules (offsets, events, mentions) are not applied; the search
 * indexes are (SQLite's backlog, indexed per batch; PostgreSQL's generated column).
 */
export interface BulkData {
  users: { id: string; handle: string; createdAt: string }[];
  channels: { id: string; slug: string; name: string; visibility: 'public' | 'private'; createdAt: string }[];
  members: { channelId: string; userId: string; joinedAt: string }[];
  /** Oldest first (ids and seqs ascending), in batches; the last seq of each channel becomes its head. */
  messages: Iterable<BulkMessage[]>;
}

export interface BulkMessage {
  id: string;
  channelId: string;
  seq: number;
  authorId: string;
  content: string;
  createdAt: string;
}

/** Loads `data` into the SQLite database at `file` (migrated first); FTS5 indexes each batch (the search backlog). */
export function bulkLoadSqlite(file: string, data: BulkData): void {
  const handle = openSqlite(file);
  const { raw } = handle;
  try {
    raw.pragma('synchronous = OFF');
    const insertUser = raw.prepare(
      `insert into users (id, handle, display_name, role, password_hash, created_at) values (?, ?, ?, 'member', 'bulk', ?)`,
    );
    const insertChannel = raw.prepare(
      `insert into channels (id, slug, name, visibility, created_at) values (?, ?, ?, ?, ?)`,
    );
    const insertMember = raw.prepare(
      `insert into channel_members (channel_id, user_id, role, joined_at) values (?, ?, 'member', ?)`,
    );
    const insertMessage = raw.prepare(
      `insert into messages (id, channel_id, seq, author_id, role, status, content, created_at)
       values (?, ?, ?, ?, 'user', 'complete', ?, ?)`,
    );
    raw.transaction(() => {
      for (const u of data.users) insertUser.run(u.id, u.handle, u.handle, u.createdAt);
      for (const c of data.channels) insertChannel.run(c.id, c.slug, c.name, c.visibility, c.createdAt);
      for (const m of data.members) insertMember.run(m.channelId, m.userId, m.joinedAt);
    })();
    const heads = new Map<string, { seq: number; at: string }>();
    const searchBacklog = createSearchBacklog(raw);
    const insertBatch = raw.transaction((batch: BulkMessage[]) => {
      for (const m of batch) {
        insertMessage.run(m.id, m.channelId, m.seq, m.authorId, m.content, m.createdAt);
        heads.set(m.channelId, { seq: m.seq, at: m.createdAt });
      }
      searchBacklog.indexAll();
    });
    for (const batch of data.messages) insertBatch(batch);
    const setHead = raw.prepare('update channels set last_offset = ?, last_message_at = ? where id = ?');
    raw.transaction(() => {
      for (const [id, head] of heads) setHead.run(head.seq, head.at, id);
    })();
    raw.pragma('optimize');
  } finally {
    handle.close();
  }
}

/**
 * Loads `data` into the (migrated) PostgreSQL database at `url`. The GIN
 * index is built once after the rows are in, as for any bulk load: keeping it
 * up to date row by row costs several times more.
 */
export async function bulkLoadPostgres(url: string, data: BulkData): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.begin(async (tx) => {
      for (const u of data.users) {
        await tx`insert into users (id, handle, display_name, role, password_hash, created_at)
                 values (${u.id}, ${u.handle}, ${u.handle}, 'member', 'bulk', ${u.createdAt})`;
      }
      for (const c of data.channels) {
        await tx`insert into channels (id, slug, name, visibility, created_at)
                 values (${c.id}, ${c.slug}, ${c.name}, ${c.visibility}, ${c.createdAt})`;
      }
      for (const m of data.members) {
        await tx`insert into channel_members (channel_id, user_id, role, joined_at)
                 values (${m.channelId}, ${m.userId}, 'member', ${m.joinedAt})`;
      }
    });
    await sql`drop index if exists messages_search`;
    const heads = new Map<string, { seq: number; at: string }>();
    for (const batch of data.messages) {
      await sql`
        insert into messages (id, channel_id, seq, author_id, role, status, content, created_at)
        select id, channel_id, seq, author_id, 'user', 'complete', content, created_at
        from unnest(${sql.array(batch.map((m) => m.id))}::text[], ${sql.array(batch.map((m) => m.channelId))}::text[],
                    ${sql.array(batch.map((m) => m.seq))}::bigint[], ${sql.array(batch.map((m) => m.authorId))}::text[],
                    ${sql.array(batch.map((m) => m.content))}::text[], ${sql.array(batch.map((m) => m.createdAt))}::timestamptz[])
          as t(id, channel_id, seq, author_id, content, created_at)`;
      for (const m of batch) heads.set(m.channelId, { seq: m.seq, at: m.createdAt });
    }
    await sql`set maintenance_work_mem = '256MB'`;
    await sql`create index messages_search on messages using gin (search)`;
    for (const [id, head] of heads) {
      await sql`update channels set last_offset = ${head.seq}, last_message_at = ${head.at} where id = ${id}`;
    }
    await sql`vacuum analyze messages`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
