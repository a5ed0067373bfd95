import type { WebSocket } from 'ws';
import { frameHead, type OpenWs, openWs, type Serialize, type SharedEventSubscriber } from './frames';
import { PUSH_STREAM, type PushEnd, type PushSink, type PushStream } from './push-stream';

/** What a running subscription keeps of its call: enough to answer and report its end. */
export interface SubscriptionCall {
  id: number | string;
  jsonrpc: '2.0' | undefined;
  path: string;
  input: unknown;
}

/** What the subscriptions of one Broadcast share: the adapter's frame settings (one object per adapter). */
export interface BroadcastFeed {
  readonly serialize: Serialize | undefined;
  readonly limits: { readonly maxBufferedBytes: number };
}

/** What a push subscription asks of the connection it runs on (the adapter's Connection). */
export interface SubscriptionConnection {
  readonly ws: WebSocket;
  /** What its subscriptions' frames may be broadcast with (null: compressed, so every frame goes through ws). */
  readonly feed: BroadcastFeed | null;
  /** Tells the client its subscription started, once. */
  announce(subscription: PushSubscription): void;
  /** Writes one event; returns the connection's backlog after it. */
  pushEvent(subscription: PushSubscription, eventId: string, data: unknown, event: object | null): number;
  /** Ends the subscription once and tells the client. */
  finish(subscription: PushSubscription, end: PushEnd): void;
}

/**
 * A push stream on the adapter's fast path, with what the adapter writes its events with: the frame's head,
 * the socket and the connection. A stream class may extend it and so be its own subscription: a delivery then
 * reads one object of the subscriber's before its socket, where a subscription object beside the stream was
 * one more (at thousands of subscribers each object is a likely cache miss: perf, the share of Hubbub's own
 * code in the fan-out's user-space time 0.316 → 0.297 at 1,000 subscribers). Any other PushStream is wrapped
 * in one (StreamSubscription). The fields are the adapter's, set once, when it runs the stream: a subclass
 * leaves them alone and gives its own fields other names.
 */
export abstract class PushSubscription implements PushStream, PushSink, SubscriptionCall, SharedEventSubscriber {
  private connection: SubscriptionConnection | null = null;
  /** Whether the client was told "started" (it hears it before anything else of this subscription). */
  announced = false;
  /** The frame's head, kept as a string: a small Buffer would hold a slab of Node's pool. */
  head!: string;
  /** The connection's socket and its parts (OpenWs): read beside the connection, not through it. */
  ws!: WebSocket;
  socket: OpenWs['socket'];
  sender: OpenWs['sender'];
  id!: number | string;
  jsonrpc: '2.0' | undefined;
  path!: string;
  input: unknown;
  /** Its place in a Broadcast (-1: none), kept by the Broadcast. */
  broadcastIndex = -1;

  abstract [PUSH_STREAM](sink: PushSink): void | Promise<void>;
  abstract stop(): void;

  /**
   * The adapter runs this stream on `connection` for `call`, once. (Not named `subscribe`: tRPC takes any object
   * with one for an observable.)
   */
  runOn(connection: SubscriptionConnection, { id, jsonrpc, path, input }: SubscriptionCall): void {
    if (this.connection) throw new Error('a push stream is subscribed once');
    this.connection = connection;
    this.head = frameHead(id, jsonrpc);
    ({ ws: this.ws, socket: this.socket, sender: this.sender } = openWs(connection.ws));
    this.id = id;
    this.jsonrpc = jsonrpc;
    this.path = path;
    this.input = input;
  }

  /** The feed a Broadcast of this subscription's frames would write with (null: not running, or compressed). */
  broadcastFeed(): BroadcastFeed | null {
    return this.connection?.feed ?? null;
  }

  send(eventId: string, data: unknown, event: object | null): number {
    const connection = this.subscribed();
    if (!this.announced) connection.announce(this);
    return connection.pushEvent(this, eventId, data, event);
  }

  end(reason: PushEnd): void {
    const connection = this.subscribed();
    connection.announce(this);
    connection.finish(this, reason);
  }

  /** The client stopped the subscription, or left: stop the stream quietly and tell the client it stopped. */
  unsubscribe(): void {
    this.stop();
    this.end({ kind: 'done' });
  }

  private subscribed(): SubscriptionConnection {
    if (!this.connection) throw new Error('a push stream sends once the adapter has subscribed it');
    return this.connection;
  }
}

/** Any other PushStream on the fast path: its subscription is an object of its own. */
export class StreamSubscription extends PushSubscription {
  constructor(private readonly stream: PushStream) {
    super();
  }

  [PUSH_STREAM](sink: PushSink): void | Promise<void> {
    return this.stream[PUSH_STREAM](sink);
  }

  stop(): void {
    this.stream.stop();
  }
}
