/**
 * Full-text message search: what a caller asks, what a store answers, and the
 * pure rules both dialects share (how a person's text becomes search terms,
 * the opaque page cursor).
 */
import { z } from 'zod';
import { AppError } from './errors';
import { ZId } from './schemas';
import type { Channel, Message } from './types';

export const SEARCH_LIMITS = {
  /** Characters of query text, after trimming. */
  query: { min: 1, max: 200 },
  /** Hits per page. */
  page: { max: 50, default: 20 },
  /** Words in one query; more are ignored (each one is another index lookup). */
  words: 16,
  /**
   * The last word is matched as a prefix (search as you type) from this many characters on: a
   * shorter prefix ("th") stands for so many words that merging their postings costs more than the rest.
   */
  prefixMin: 4,
  /**
   * Hits are ranked among the newest this many matches a caller may read: a
   * word in half the messages costs the same as a rare one, and the pages run out there.
   */
  window: 1000,
  /** Characters of message text around the first match. */
  snippet: 200,
} as const;

/** A word, or a phrase of words that must follow each other; the last word may be a prefix. */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
}

/** A person's query as terms: every `include` term must match, no `exclude` term may. */
export interface ParsedQuery {
  include: SearchTerm[];
  exclude: SearchTerm[];
}

/**
 * Reads search text the way a search box is read (like websearch_to_tsquery):
 * words must all match, "quoted words" match as a phrase, a leading `-`
 * excludes. Words are runs of letters, digits and marks; everything else only
 * separates them, so no character of the text can reach the index's own
 * query syntax. A word joined by punctuation ("e-mail") is a phrase of its
 * parts, as the indexes store it. The last word is a prefix when the text ends
 * in it (the person is still typing it) and it has SEARCH_LIMITS.prefixMin characters.
 */
export function parseSearchQuery(text: string): ParsedQuery {
  const parsed: ParsedQuery = { include: [], exclude: [] };
  let budget: number = SEARCH_LIMITS.words;
  let last: { term: SearchTerm; quoted: boolean; end: number } | null = null;
  // A quoted phrase (to the next quote or the end), or a run without spaces; either may start with "-".
  const chunk = /(-?)(?:"([^"]*)"?|([^\s"]+))/gu;
  for (const match of text.matchAll(chunk)) {
    const [whole, minus, quoted, bare] = match;
    const words = wordsOf(quoted ?? bare ?? '').slice(0, budget);
    if (words.length === 0) continue;
    budget -= words.length;
    const term: SearchTerm = { words, prefix: false };
    (minus ? parsed.exclude : parsed.include).push(term);
    last = minus ? null : { term, quoted: quoted !== undefined, end: match.index + whole.length };
    if (budget === 0) break;
  }
  if (last && !last.quoted && last.end === text.length) {
    const word = last.term.words.at(-1) ?? '';
    last.term.prefix = [...word].length >= SEARCH_LIMITS.prefixMin && /[\p{L}\p{N}\p{M}]$/u.test(text);
  }
  return parsed;
}

/** Lowercased runs of letters, digits and combining marks. */
function wordsOf(text: string): string[] {
  return [...text.toLowerCase().matchAll(/[\p{L}\p{N}\p{M}]+/gu)].map((m) => m[0]);
}

/** Whether a parsed query can match anything at all (it needs a word to look for). */
export const isSearchable = (query: ParsedQuery) => query.include.length > 0;

/**
 * Where the next page starts: `offset` hits into the ranking of the matches
 * up to `upTo` (the newest message id when the first page was read), so a
 * message sent while someone pages does not push the pages along.
 */
export interface SearchCursor {
  offset: number;
  upTo: string;
}

const ZSearchCursorFields = z.object({
  o: z.number().int().min(1).max(SEARCH_LIMITS.window),
  u: ZId,
});

export function encodeSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify({ o: cursor.offset, u: cursor.upTo })).toString('base64url');
}

/** BAD_REQUEST for anything that is not a cursor this server gave out. */
export function decodeSearchCursor(text: string): SearchCursor {
  try {
    const fields = ZSearchCursorFields.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return { offset: fields.o, upTo: fields.u };
  } catch {
    throw new AppError('BAD_REQUEST', 'this search cursor is not valid: start the search again');
  }
}

/** What narrows a search besides its text. Dates are ISO-8601 (UTC); both bounds are exclusive. */
export interface SearchFilters {
  channelId?: string | undefined;
  authorId?: string | undefined;
  before?: string | undefined;
  after?: string | undefined;
}

export interface SearchRequest extends SearchFilters {
  /** Only messages of channels this user may read: public ones and those they are a member of. */
  readerId: string;
  query: ParsedQuery;
  limit: number;
  cursor?: SearchCursor | undefined;
}

/** A channel as a hit names it. */
export type SearchHitChannel = Pick<Channel, 'id' | 'slug' | 'name' | 'kind'>;

/**
 * A message that matched, with a piece of its text around the first match.
 * `highlights` are [start, end) ranges of matched words in `snippet` (UTF-16
 * offsets, as JavaScript strings count): the text stays plain, never HTML.
 */
export interface SearchHit {
  message: Message;
  channel: SearchHitChannel;
  snippet: string;
  highlights: [number, number][];
  /** The thread's root message, when the hit is a reply in a thread. */
  threadId?: string;
}

export interface SearchPage {
  hits: SearchHit[];
  nextCursor: string | null;
}

const ZIsoDate = z.iso.datetime({ offset: true }).transform((text) => new Date(text).toISOString());

export const ZSearchInput = z.object({
  // Kept untrimmed: a trailing space says the last word is finished (no prefix match).
  query: z
    .string()
    .max(SEARCH_LIMITS.query.max * 2)
    .refine((text) => {
      const length = text.trim().length;
      return length >= SEARCH_LIMITS.query.min && length <= SEARCH_LIMITS.query.max;
    }, `a search is ${SEARCH_LIMITS.query.min} to ${SEARCH_LIMITS.query.max} characters`),
  channelId: ZId.optional(),
  authorId: ZId.optional(),
  before: ZIsoDate.optional(),
  after: ZIsoDate.optional(),
  limit: z.number().int().min(1).max(SEARCH_LIMITS.page.max).default(SEARCH_LIMITS.page.default),
  cursor: z.string().min(1).max(400).nullish(),
});
