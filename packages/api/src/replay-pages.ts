import type { Stored } from './resumable-stream';

/** How long a page is served again: long enough for a reconnect storm, short enough that nothing grows stale. */
const KEEP_MS = 1000;
/** Pages kept at most (a page is up to a backfill page of events, shared by every subscriber that asked for it). */
const MAX_PAGES = 64;

interface Kept<C> {
  until: number;
  page: Promise<Stored<C>[]>;
}

/**
 * Replay pages read once for many subscribers. After a restart thousands of
 * clients resume from the same position at once: the events after it up to
 * the same head are the same for all of them (a stream only grows, and every
 * change to a message appends an event), so the first read's page, and its
 * event objects, serve the others: one read, and one serialization per event
 * for all of them (the socket sink shares frames per event object).
 */
export class ReplayPages<C> {
  private readonly kept = new Map<string, Kept<C>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The events after `after` (at most `limit`) of `topic` whose head was `head`, read by `read` once. */
  get(topic: string, after: number, head: number, limit: number, read: () => Promise<Stored<C>[]>) {
    const key = `${topic}\u0000${after}\u0000${head}\u0000${limit}`;
    const now = this.now();
    const kept = this.kept.get(key);
    if (kept && kept.until > now) return kept.page;
    this.kept.delete(key);
    if (this.kept.size >= MAX_PAGES) this.forgetExpired(now);
    const page = read();
    // A failed read is not kept: the next subscriber reads again.
    page.catch(() => {
      if (this.kept.get(key)?.page === page) this.kept.delete(key);
    });
    this.kept.set(key, { until: now + KEEP_MS, page });
    return page;
  }

  private forgetExpired(now: number): void {
    for (const [key, kept] of this.kept) {
      if (kept.until <= now || this.kept.size >= MAX_PAGES) this.kept.delete(key);
    }
  }
}
