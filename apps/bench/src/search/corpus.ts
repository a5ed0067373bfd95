/**
 * A chat workspace's worth of messages for the search benchmark, the same on
 * every run (a seeded generator): words drawn by Zipf's law from common
 * English and team-chat words followed by a long tail of made-up rarer words
 * (names, projects, jargon), so a query's word may be in half the messages or
 * in ten of them, as in a real history. Channels and authors are Zipf too:
 * a few busy channels, many quiet ones; some channels are private.
 */
import type { BulkData, BulkMessage } from '@hubbub/db/test';

const COMMON = `the to and a of i you it is in that for we on this be with have are not can do will
just so but at me what if my was all get be up about there your an they out like know think from how
one now need time when or would should yes no ok thanks good new more see make some see work here then
going today did could go let any also been them back still which right only sure want by got tomorrow
meeting review deploy release build test tests fix bug issue branch merge ticket customer team update
update please look week call plan data server client error logs config docs design api endpoint
change changes question idea project version feature support user users account page app mobile web
database query cache latency memory cpu incident alert monitor dashboard metrics report numbers budget
sprint standup retro demo launch rollout rollback staging production backend frontend schema migration
token login password session security access permission invoice payment order shipping price discount
lunch coffee office remote holiday vacation weekend monday friday morning afternoon evening thanks again
great nice awesome cool done working blocked waiting pending approved merged shipped broken flaky slow
fast quick small large first last next previous after before since until during while because though
maybe probably definitely already almost really very much many few every each other another same different
doc slide deck notes agenda minutes summary draft final feedback comment reply thread channel message
email phone link file folder image screenshot video recording upload download share send read write
open close start stop run running ran runs deploying deployed testing tested building built fixing fixed
reviewing reviewed merging planning planned launching launched moving moved waiting asked asking answer
problem solution workaround hotfix patch upgrade install setup environment variable secret key region
cluster node pod container image registry pipeline job queue worker task cron schedule timeout retry`
  .split(/\s+/)
  .filter((word, i, all) => word && all.indexOf(word) === i);

/** A seeded generator (mulberry32): the same sequence for the same seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1 with probability ∝ 1 / (rank + 1)^s. */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / (i + 1) ** s;
    cdf[i] = total;
  }
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const SYLLABLES = 'ka ro mi ten vas lu dor fin gal hex or pra quin sel tav ul ven wyn zor bex cal dru ev'.split(' ');

/** The vocabulary, most frequent first: the common words, then `tail` made-up words of 2–4 syllables. */
export function vocabulary(tail: number, random: () => number): string[] {
  const words = new Set(COMMON);
  while (words.size < COMMON.length + tail) {
    const parts = 2 + Math.floor(random() * 3);
    let word = '';
    for (let i = 0; i < parts; i++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    words.add(word);
  }
  return [...words];
}

/** A UUIDv7 for `ms` (as the stores mint them): ids sort by time. */
export function uuidv7(ms: number, random: () => number): string {
  // Random hex digits, up to 6 from one draw.
  const hex = (digits: number) =>
    Math.floor(random() * 16 ** digits)
      .toString(16)
      .padStart(digits, '0');
  const time = ms.toString(16).padStart(12, '0');
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(3)}-${variant}${hex(3)}-${hex(6)}${hex(6)}`;
}

export interface CorpusShape {
  messages: number;
  channels: number;
  privateChannels: number;
  users: number;
  /** Made-up words after the common ones. */
  tail: number;
  seed: number;
}

export const DEFAULT_SHAPE: Omit<CorpusShape, 'messages'> = {
  channels: 200,
  privateChannels: 30,
  users: 500,
  tail: 30_000,
  seed: 42,
};

/** What the queries are built from, besides the rows. */
export interface Corpus {
  data: BulkData;
  words: string[];
  /** The reader the queries run as: a member of some private channels, not of others. */
  readerId: string;
  /** Channels the reader may read (public ones and theirs), busiest first. */
  readableChannelIds: string[];
  userIds: string[];
  /** Message times run from `start` to `end` (ms). */
  start: number;
  end: number;
  /** Some messages' texts (one in a thousand), for phrase queries taken from real text. */
  samples: string[];
}

const DAY = 86_400_000;

export function buildCorpus(shape: CorpusShape): Corpus {
  const random = seeded(shape.seed);
  const words = vocabulary(shape.tail, random);
  const end = Date.UTC(2026, 10, 30);
  const start = end - 365 * DAY;
  const at = (ms: number) => new Date(ms).toISOString();
  const users = Array.from({ length: shape.users }, (_, i) => ({
    id: uuidv7(start - DAY + i, random),
    handle: `person${i}`,
    createdAt: at(start - DAY),
  }));
  const channels = Array.from({ length: shape.channels }, (_, i) => ({
    id: uuidv7(start - DAY + i, random),
    slug: `channel-${i}`,
    name: `Channel ${i}`,
    // Spread the private ones over busy and quiet channels alike.
    visibility: (i % Math.max(1, Math.floor(shape.channels / shape.privateChannels)) === 3 ? 'private' : 'public') as
      | 'public'
      | 'private',
    createdAt: at(start - DAY),
  }));
  const reader = users[0];
  if (!reader) throw new Error('the corpus needs at least one user');
  const privates = channels.filter((c) => c.visibility === 'private');
  // Each private channel has a few members; the reader is in one of three of them.
  const members = privates.flatMap((c, i) => [
    ...(i % 3 === 0 ? [{ channelId: c.id, userId: reader.id, joinedAt: at(start - DAY) }] : []),
    ...users
      .slice(1 + (i % 50), 11 + (i % 50))
      .map((u) => ({ channelId: c.id, userId: u.id, joinedAt: at(start - DAY) })),
  ]);
  const postersOf = new Map<string, string[]>();
  for (const m of members) postersOf.set(m.channelId, [...(postersOf.get(m.channelId) ?? []), m.userId]);
  const samples: string[] = [];
  const word = zipf(words.length, 1.05, random);
  const channel = zipf(channels.length, 0.9, random);
  const author = zipf(users.length, 0.8, random);
  const seqs = new Map<string, number>();

  function* batches(size = 5000): Iterable<BulkMessage[]> {
    const step = (end - start) / shape.messages;
    let batch: BulkMessage[] = [];
    for (let i = 0; i < shape.messages; i++) {
      const ms = Math.floor(start + i * step);
      const target = channels[channel()] as (typeof channels)[number];
      // Only members post in a private channel.
      const posters = postersOf.get(target.id);
      const authorId = posters
        ? (posters[Math.floor(random() * posters.length)] as string)
        : (users[author()]?.id as string);
      const length = 3 + Math.floor(random() * random() * 28);
      const text = Array.from({ length }, () => words[word()]).join(' ');
      const content = text.charAt(0).toUpperCase() + text.slice(1);
      if (i % 1000 === 0) samples.push(content);
      const seq = (seqs.get(target.id) ?? 0) + 1;
      seqs.set(target.id, seq);
      batch.push({ id: uuidv7(ms, random), channelId: target.id, seq, authorId, content, createdAt: at(ms) });
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  return {
    data: { users, channels, members, messages: { [Symbol.iterator]: () => batches()[Symbol.iterator]() } },
    words,
    readerId: reader.id,
    readableChannelIds: channels
      .filter((c) => c.visibility === 'public' || members.some((m) => m.channelId === c.id && m.userId === reader.id))
      .map((c) => c.id),
    userIds: users.map((u) => u.id),
    start,
    end,
    samples,
  };
}
