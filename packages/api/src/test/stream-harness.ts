import { ChannelHub, createMemoryBus } from '@hubbub/bus';
import type { BusEvent } from '@hubbub/core';
import type { Stored, StreamConnection, StreamDeps, StreamEnd, StreamSink, StreamSource } from '../resumable-stream';

/**
 * A ResumableStream's world in memory: an array-backed store, the real hub on
 * the in-process bus (which delivers synchronously, as the hub's fan-out
 * does), and a sink that records what the stream sends. No socket, no database.
 */

export type Note = { type: 'note'; n: number; text: string };
/** A change that ends the subscription (see `endsWith`). */
export type Bye = { type: 'bye' };
export type Change = Note | Bye;
export type Ping = { type: 'ping'; n: number };

export const TOPIC = 't';
/** Events on this channel belong to another subscriber's view: their offsets count as seen (`skip`). */
export const ELSEWHERE = 'elsewhere';

/** A store of one stream: its epoch, its events, and the reads made of it. */
export class ArrayStore implements StreamSource<Change, Ping> {
  readonly topic = TOPIC;
  readonly userId = null;
  readonly events: Stored<Change>[] = [];
  oldestRetained = 1;
  /** eventsAfter() calls so far. */
  reads = 0;
  /** info() calls so far: once a stream has asked, what is stored after that is new to it. */
  infoReads = 0;
  /** While set, reads answer only once it resolves (with what the store held when they were made). */
  gate: Promise<void> | null = null;
  /** Signals sent once the subscriber is caught up. */
  greetings: Ping[] = [];
  /** Makes info() fail (the database is down). */
  failure: Error | null = null;

  constructor(
    readonly epoch = 'e',
    stored = 0,
  ) {
    for (let i = 0; i < stored; i++) this.append(`stored ${i + 1}`);
  }

  /** The last offset taken in the log, by this view's events or by others'. */
  head = 0;

  /** Stores a change (without publishing it: a bus that lost it). */
  append(text: string): Stored<Change> {
    const offset = ++this.head;
    const event = { offset, change: { type: 'note' as const, n: offset, text } };
    this.events.push(event);
    return event;
  }

  appendBye(): Stored<Change> {
    const event = { offset: ++this.head, change: { type: 'bye' as const } };
    this.events.push(event);
    return event;
  }

  /** An offset taken by an event outside this view (another task's, in the shared task log). */
  reserve(): number {
    return ++this.head;
  }

  /** Holds every read from now until the returned release is called. */
  hold(): () => void {
    let release = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = () => {
        this.gate = null;
        resolve();
      };
    });
    return release;
  }

  info = async () => {
    this.infoReads++;
    if (this.failure) throw this.failure;
    return { epoch: this.epoch, head: this.head, oldestRetained: this.oldestRetained };
  };

  eventsAfter = async (after: number, limit: number) => {
    this.reads++;
    // A read sees the store as it was when it was made, like a database query.
    const page = this.events.filter((e) => e.offset > after && e.offset >= this.oldestRetained).slice(0, limit);
    if (this.gate) await this.gate;
    return page;
  };

  classify = (event: BusEvent) => {
    if (event.kind === 'change') {
      const { channelId, offset, change } = event.event;
      if (channelId === ELSEWHERE) return { kind: 'skip' as const, offset };
      return { kind: 'change' as const, event: { offset, change: change as unknown as Change } };
    }
    if (event.kind === 'signal' && event.signal.type === 'typing') {
      return { kind: 'signal' as const, signal: { type: 'ping' as const, n: Number(event.signal.userId) } };
    }
    return null;
  };

  greeting = () => this.greetings;

  endsWith = (change: Change) => change.type === 'bye';
}

/** The bus event that carries a stored change live. */
export function liveEvent(event: Stored<Change>, channelId = TOPIC): BusEvent {
  // The bus carries channel changes; this store's notes ride in their place.
  return { kind: 'change', event: { channelId, offset: event.offset, change: event.change as never } };
}

/** A live signal; `n` comes back as the ping's number. */
export function pingEvent(n: number): BusEvent {
  return {
    kind: 'signal',
    channelId: TOPIC,
    signal: { type: 'typing', userId: String(n), displayName: '', until: '' },
  };
}

export interface Sent {
  id: string;
  data: unknown;
  shared: object | null;
}

/** A sink that keeps what it is sent; `backlog` says what the connection still has to send. */
export function recordingSink(backlog: () => number = () => 0) {
  const sent: Sent[] = [];
  const ends: StreamEnd[] = [];
  const sink: StreamSink = {
    send(id, data, shared) {
      sent.push({ id, data, shared });
      return backlog();
    },
    end(reason) {
      ends.push(reason);
    },
  };
  return { sink, sent, ends, ids: () => sent.map((s) => s.id) };
}

/** The hub and bus a stream follows, and its deps. */
export function streamWorld(options: { maxBufferedBytes?: number; connection?: StreamConnection<null> | null } = {}) {
  const bus = createMemoryBus();
  const hub = new ChannelHub(bus);
  const deps: StreamDeps<null> = {
    hub,
    limits: { maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024 },
    connection: options.connection ?? null,
    owner: null,
  };
  return {
    hub,
    deps,
    /** Publishes on the bus; the memory bus hands it to the hub before this returns. */
    publish: (event: BusEvent) => void bus.publish(TOPIC, event),
    /** Local subscriptions on the hub (a stream that ended has detached). */
    attached: () => hub.stats.subscriptions,
  };
}
