import { type BusListener, type ChannelHub, SubscriberQueue } from '@hubbub/bus';
import { type BusEvent, CLOSE_CODES, formatEventId, planResume, type StreamInfo } from '@hubbub/core';
import { PUSH_STREAM, type PushEnd, type PushSink, type PushStream, PushSubscription } from '@hubbub/trpc-ws';
import { type TrackedEnvelope, tracked } from '@trpc/server';
import type { LimitSettings } from './limits';
import { type CohortHub, type CohortMember, LiveCohort } from './live-cohort';
import type { Seen, Stored } from './seen';

const BACKFILL_PAGE = 500;
/** Live events held while a subscriber is being filled from the store, before it counts as too slow. */
export const MAX_PENDING = 4096;
/** A pulled replay whose consumer takes nothing for this long is cut like a slow one (it resumes later). */
const STALLED_REPLAY_MS = 30_000;

export type { Seen, Stored } from './seen';

/** How one kind of stream (a channel, the tasks) reads its store and its bus events. */
export interface StreamSource<C, S> {
  /** The hub topic to follow, and who follows it (for presence; null for none). */
  topic: string;
  userId: string | null;
  epoch: string;
  info(): Promise<StreamInfo>;
  /**
   * Stored events after `after`, oldest first, at most `limit`. `head`, when given, is the stream's head as
   * the subscriber found it: subscribers asking for the same events up to the same head may get the same page
   * (the same event objects, so a socket sink serializes each once for all of them).
   */
  eventsAfter(after: number, limit: number, head?: number): Promise<Stored<C>[]>;
  /**
   * A bus event as this stream sees it: a stored change, a live signal, a
   * stored change of no concern to this subscriber (`skip`: its offset still
   * counts as seen), or nothing of this stream's. Called per subscriber per
   * event: a source whose bus events already have this shape returns them
   * as they are (a channel's do), allocating nothing.
   */
  classify(event: BusEvent): Seen<C, S> | null;
  /** Signals to send once the subscriber has everything up to `delivered` (e.g. who is online). */
  greeting?(delivered: number): S[] | Promise<S[]>;
  /** True when this change ends the subscription (e.g. the caller left a private channel); absent: none does. */
  endsWith?(change: C): boolean;
  /**
   * Every subscriber of the topic sees its bus events alike (the same `classify`, no `endsWith`, no `follow`): live
   * subscribers in step may take them together (live-cohort.ts).
   */
  readonly shareable?: boolean;
  /**
   * Live signals from elsewhere (the user stream's unread counts come from the channels the user is in):
   * started before the store is read, so nothing in between is missed; returns how to stop.
   */
  follow?(emit: (signal: S) => void): Promise<() => void>;
}

/**
 * How a stream ends, and where its events go: a socket (the WebSocket
 * adapter's push path) or a queue (the async-iterator view). A sink's `send`
 * gets each event with its tracked id and the object it came from: the bus
 * event when live, the stored event when replayed (the same object for every
 * local subscriber it reaches, so a sink can serialize it once for all of
 * them; null for signals made per subscriber), and returns the bytes
 * still waiting to go out to this subscriber (the slow-consumer signal).
 */
export type StreamEnd = PushEnd;
export type StreamSink = PushSink;

/** The connection a subscriber is on, as far as its stream needs it (the context's `Connection` is one). */
export interface StreamConnection<Owner> {
  close(code: number, reason: string): void;
  /** Bytes queued on the connection but not yet sent. */
  bufferedAmount(): number;
  /** A connection that carries one stream (SSE) admits it: throws the refusal, or returns the release. */
  openStream?(owner: Owner, end: (error: Error) => void): () => void;
}

/**
 * What a stream uses of the process and of its subscriber, and nothing more (not the whole context), so a
 * test can run one on an in-memory hub and sink.
 */
export interface StreamDeps<Owner = unknown> {
  hub: Pick<ChannelHub, 'attach'> & CohortHub;
  limits: Pick<LimitSettings, 'maxBufferedBytes'>;
  /** The subscriber's connection; none for createCaller. */
  connection: StreamConnection<Owner> | null;
  /** Whom `openStream` admits the stream for (the caller's context): handed over, never read here. */
  owner: Owner;
}

type Mode = 'idle' | 'filling' | 'live' | 'ended';

const eventIds = new WeakMap<object, { offset: number; id: string }>();
/** The id string of a shared event at `offset`, made once for all local subscribers it reaches. */
function sharedEventId(shared: object, epoch: string, offset: number): string {
  const cached = eventIds.get(shared);
  if (cached?.offset === offset) return cached.id;
  const id = formatEventId(epoch, offset);
  if (!cached) eventIds.set(shared, { offset, id });
  return id;
}

/**
 * A resumable stream. It registers for live events before reading the store,
 * replays what the subscriber missed, then delivers live events as they come,
 * dropping anything at or below the last offset sent and filling any gap from
 * the store. Every event is tracked: stored ones with their own id, signals
 * with the id of the last stored event (so they never move a resume position).
 *
 * Live delivery is synchronous and allocation-free on the way in (the hub calls
 * straight into `onBusEvent`), which is what lets the WebSocket fast path send
 * one pre-serialized frame per subscriber. On that path the stream is its own
 * subscription (it extends the adapter's PushSubscription, so a delivery reads
 * no object beside it) and its own sink; a public channel's live subscribers
 * that are in step go further and take each event together (live-cohort.ts).
 * As an AsyncIterable it also serves any tRPC transport (createCaller, the
 * stock adapter).
 */
export class ResumableStream<C, S, Owner = unknown>
  extends PushSubscription
  implements AsyncIterable<TrackedEnvelope<C | S | { type: 'reset' }>>, PushStream, BusListener, CohortMember
{
  private mode: Mode = 'idle';
  /** The backlog past which a live subscriber is cut off, kept here: the live path reads nothing else of `deps`. */
  private readonly maxBufferedBytes: number;
  /**
   * What the live path reads of the source, read once, so a delivery reads the stream's own object and not the
   * source's too (at thousands of subscribers each object is a likely cache miss: perf annotate put 2/5 of the
   * fan-out loop's own time on the source's). The hooks are called on the source.
   */
  private readonly epoch: string;
  private readonly classify: StreamSource<C, S>['classify'];
  private readonly endsWith: StreamSource<C, S>['endsWith'];
  private readonly shareable: boolean;
  private delivered = 0;
  private pending: BusEvent[] = [];
  /** The bus reconnected while filling: read the store once more before going live. */
  private resyncRequested = false;
  private detach: (() => void) | null = null;
  private sink: StreamSink | null = null;
  /** The pull view's replay pacing: a promise while its queue is full (a socket sink needs none). */
  private pace: (() => Promise<void> | null) | null = null;
  /** The cohort taking this stream's live events while it is in step with others (null: the hub hands them here). */
  private cohort: LiveCohort | null = null;
  private joinScheduled = false;

  constructor(
    private readonly deps: StreamDeps<Owner>,
    private readonly source: StreamSource<C, S>,
    private readonly lastEventId: string | null | undefined,
    /** Aborted when the subscriber goes away (tRPC's procedure signal): the pull view's. */
    private signal?: AbortSignal,
  ) {
    super();
    this.maxBufferedBytes = deps.limits.maxBufferedBytes;
    this.epoch = source.epoch;
    this.classify = source.classify;
    this.endsWith = source.endsWith;
    this.shareable = source.shareable === true;
  }

  /** Starts delivering to `sink`; resolves once the subscriber is live (or the stream has ended). */
  async start(sink: StreamSink): Promise<void> {
    if (this.mode !== 'idle') throw new Error('a stream starts once');
    this.sink = sink;
    this.mode = 'filling';
    try {
      // The stream is its own listener: the hub's loop reaches it with no closure in between.
      const detach = await this.deps.hub.attach(this.source.topic, this.source.userId, this);
      if (this.ended) {
        detach();
        return;
      }
      this.detach = detach;
      const unfollow = await this.source.follow?.((signal) => this.emitSignal(signal));
      if (unfollow) {
        this.detach = () => {
          detach();
          unfollow();
        };
      }
      if (this.ended) {
        this.detach();
        return;
      }
      const info = await this.source.info();
      const plan = planResume(this.lastEventId, info);
      this.delivered = info.head;
      if (plan.kind === 'reset') this.emit(info.head, { type: 'reset' }, null);
      else if (plan.kind === 'replay') {
        this.delivered = plan.after;
        await this.fill(info.head);
      }
      for (const greeting of (await this.source.greeting?.(this.delivered)) ?? []) {
        this.emit(this.delivered, greeting, null);
      }
      await this.drain();
    } catch (error) {
      this.finish({ kind: 'error', error });
    }
  }

  /** The WebSocket adapter's fast path: it hands over its socket sink and the stream pushes into it. */
  [PUSH_STREAM](sink: StreamSink): Promise<void> {
    // Pushed streams are stopped by stop(): the signal is not kept for the subscriber's lifetime.
    this.signal = undefined;
    return this.start(sink);
  }

  private get ended(): boolean {
    return this.mode === 'ended';
  }

  /** The subscriber went away: stop, quietly. */
  stop(): void {
    if (this.mode === 'ended') return;
    this.mode = 'ended';
    this.pending = [];
    if (this.cohort) {
      this.delivered = this.cohort.leave(this);
      this.cohort = null;
    }
    this.detach?.();
  }

  /** Left its cohort at `delivered`, back on the hub; `slow`: cut off (its socket fell behind). */
  leftCohort(delivered: number, slow: boolean): void {
    this.cohort = null;
    this.delivered = delivered;
    if (slow) this.finish({ kind: 'slow' });
  }

  /**
   * Joins (or starts) its topic's cohort once the current event has been handed out (a stream joining mid-event
   * could hear it twice): a live pushed stream of a shareable source, its socket sink running, announced.
   */
  private scheduleJoin(): void {
    if (this.joinScheduled || !this.shareable || this.sink !== this || !this.broadcastFeed()) return;
    this.joinScheduled = true;
    queueMicrotask(() => {
      this.joinScheduled = false;
      if (this.mode !== 'live' || this.cohort || this.pending.length > 0 || this.resyncRequested) return;
      this.cohort = LiveCohort.join(this, this.deps.hub, this.source, this.delivered);
    });
  }

  /** An event of the stream's topic, handed over by the hub (live, synchronously). */
  onBusEvent(event: BusEvent): void {
    if (event.kind === 'resync') {
      // Events may have been lost on the bus: re-read the store (nothing is lost, duplicates are dropped).
      if (this.mode === 'live') {
        this.mode = 'filling';
        this.refill();
      } else if (this.mode === 'filling') this.resyncRequested = true;
      return;
    }
    if (this.mode === 'live') {
      if (this.handle(event) === 'gap') {
        this.mode = 'filling';
        this.pending.push(event);
        this.refill();
      }
    } else if (this.mode === 'filling') {
      if (this.pending.length >= MAX_PENDING) this.finish({ kind: 'slow' });
      else this.pending.push(event);
    }
  }

  /** Delivers one live event, or reports a gap before it (then nothing is delivered). */
  private handle(event: BusEvent): 'ok' | 'gap' {
    const seen = this.classify.call(this.source, event);
    if (!seen) return 'ok';
    if (seen.kind === 'signal') {
      this.emitLive(this.delivered, seen.signal, event);
      return 'ok';
    }
    if (seen.kind === 'skip') {
      this.delivered = Math.max(this.delivered, seen.offset);
      return 'ok';
    }
    const { offset, change } = seen.event;
    if (offset <= this.delivered) return 'ok';
    if (offset > this.delivered + 1) return 'gap';
    this.delivered = offset;
    this.emitLive(offset, change, event);
    if (this.endsWith?.call(this.source, change)) this.finish({ kind: 'done' });
    else if (this.shareable && this.mode === 'live') this.scheduleJoin();
    return 'ok';
  }

  /** A live event; a subscriber whose backlog is past the limit after it is cut off (it resumes later). */
  private emitLive(offset: number, data: unknown, shared: BusEvent): void {
    if (this.emit(offset, data, shared) > this.maxBufferedBytes) {
      // The socket is not draining: stop feeding it (memory stays bounded); the client resumes from here.
      this.finish({ kind: 'slow' });
    }
  }

  /** A signal from `follow`, at the position delivered so far. */
  private emitSignal(signal: S): void {
    if (this.mode === 'ended') return;
    if (this.emit(this.delivered, signal, null) > this.maxBufferedBytes) this.finish({ kind: 'slow' });
  }

  private refill(): void {
    this.fill()
      .then(() => this.drain())
      .catch((error) => this.finish({ kind: 'error', error }));
  }

  /** Replays every stored event after the last one delivered (up to `head`, when the start found it there). */
  private async fill(head?: number): Promise<void> {
    for (;;) {
      const page = await this.source.eventsAfter(this.delivered, BACKFILL_PAGE, head);
      if (this.ended) return;
      for (const event of page) {
        if (event.offset <= this.delivered) continue;
        this.delivered = event.offset;
        // The stored event is the shared object: a page served to many subscribers is serialized once.
        this.emit(event.offset, event.change, event);
        if (this.endsWith?.call(this.source, event.change)) return this.finish({ kind: 'done' });
        const room = this.pace?.();
        if (room) await room;
        if (this.ended) return;
      }
      if (page.length < BACKFILL_PAGE) return;
    }
  }

  /** Delivers what arrived while filling; a gap among them is filled from the store first. Then: live. */
  private async drain(): Promise<void> {
    while (this.mode === 'filling' && (this.pending.length > 0 || this.resyncRequested)) {
      if (this.resyncRequested) {
        this.resyncRequested = false;
        await this.fill();
      }
      const batch = this.pending;
      this.pending = [];
      for (let i = 0; i < batch.length && this.mode === 'filling'; i++) {
        if (this.handle(batch[i] as BusEvent) === 'gap') {
          this.pending = [...batch.slice(i), ...this.pending];
          await this.fill();
          break;
        }
      }
    }
    if (this.mode === 'filling') {
      this.mode = 'live';
      this.scheduleJoin();
    }
  }

  /** Sends one event; returns the subscriber's backlog after it. */
  private emit(offset: number, data: unknown, shared: object | null): number {
    if (this.mode === 'ended' || !this.sink) return 0;
    const id = shared ? sharedEventId(shared, this.epoch, offset) : formatEventId(this.epoch, offset);
    return this.sink.send(id, data, shared);
  }

  private finish(reason: StreamEnd): void {
    if (this.mode === 'ended') return;
    this.stop();
    this.sink?.end(reason);
  }

  /**
   * The pull view (Server-Sent Events, createCaller): a queue between the stream and a consumer that takes
   * events at its own pace (SSE: as fast as the response drains). It is bounded in events and in bytes: a
   * replay waits for room (so a long one streams instead of piling up), and a subscriber whose live backlog
   * passes `maxBufferedBytes` is cut off to resume later (its connection closes with 4008).
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<TrackedEnvelope<C | S | { type: 'reset' }>> {
    type Envelope = TrackedEnvelope<C | S | { type: 'reset' }>;
    const queue = new SubscriberQueue<{ envelope: Envelope; bytes: number }>(MAX_PENDING);
    const connection = this.deps.connection;
    const maxBytes = this.maxBufferedBytes;
    let queuedBytes = 0;
    let ended: StreamEnd | null = null;
    let room: (() => void) | null = null;
    let stalled: ReturnType<typeof setTimeout> | undefined;
    const wake = () => {
      clearTimeout(stalled);
      room?.();
      room = null;
    };
    /** Too full to take more of a replay: wait for the consumer (not forever: see STALLED_REPLAY_MS). */
    const full = () => queuedBytes * 2 > maxBytes || queue.size * 4 > MAX_PENDING;
    const roomy = () => queuedBytes * 4 <= maxBytes && queue.size * 8 <= MAX_PENDING;
    const stopWith = (reason: StreamEnd | null) => {
      ended ??= reason;
      this.stop();
      // An error ends the stream now: what is still queued is not for this subscriber any more.
      queue.end(reason?.kind === 'error' ? 'overflow' : 'closed');
      wake();
    };
    // A consumer waiting in next() cannot be reached by return(): end the queue on abort instead.
    const onAbort = () => stopWith(null);
    // An SSE connection may refuse the stream (too many open) or end it early (credentials ended).
    const releaseConnection = connection?.openStream?.(this.deps.owner, (error) => stopWith({ kind: 'error', error }));
    this.signal?.addEventListener('abort', onAbort, { once: true });
    this.pace = () => {
      if (!full()) return null;
      stalled = setTimeout(() => this.finish({ kind: 'slow' }), STALLED_REPLAY_MS);
      return new Promise<void>((resolve) => (room = resolve));
    };
    const started = this.start({
      send: (id, data, shared) => {
        const bytes = approximateBytes(data, shared);
        queuedBytes += bytes;
        queue.push({ envelope: tracked(id, data as C | S | { type: 'reset' }), bytes });
        return queuedBytes + (connection?.bufferedAmount() ?? 0);
      },
      end: (reason) => {
        ended ??= reason;
        queue.end(reason.kind === 'slow' ? 'overflow' : 'closed');
        wake();
      },
    });
    started.catch((error: unknown) => stopWith({ kind: 'error', error }));
    try {
      for (;;) {
        const item = await queue.next();
        if (!item) break;
        queuedBytes -= item.bytes;
        if (room && roomy()) wake();
        yield item.envelope;
      }
      const end = ended as StreamEnd | null;
      if (end?.kind === 'error') throw end.error;
      if (queue.ended === 'overflow' || end?.kind === 'slow') {
        connection?.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
      }
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      this.stop();
      wake();
      releaseConnection?.();
    }
  }
}

const sizes = new WeakMap<object, number>();
/**
 * About how many bytes an event takes on the wire (its JSON length): a live event's is measured once for
 * all the local subscribers it fans out to, a replayed one's for its subscriber alone.
 */
function approximateBytes(data: unknown, shared: object | null): number {
  const known = shared && sizes.get(shared);
  if (known) return known;
  const bytes = JSON.stringify(data)?.length ?? 0;
  if (shared) sizes.set(shared, bytes);
  return bytes;
}
