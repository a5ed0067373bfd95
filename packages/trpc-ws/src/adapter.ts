import type { IncomingMessage } from 'node:http';
import type { AnyTRPCRouter, inferRouterContext } from '@trpc/server';
import { jsonEncoder } from '@trpc/server/adapters/ws';
import { isObservable } from '@trpc/server/observable';
import type { TRPCClientOutgoingMessage, TRPCResponseMessage } from '@trpc/server/rpc';
import {
  callProcedure,
  defaultTransformer,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isTrackedEnvelope,
  parseConnectionParamsFromUnknown,
  parseTRPCMessage,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import { WebSocket, type WebSocketServer } from 'ws';
import {
  type FrameTarget,
  negotiatedCompression,
  openWs,
  type Serialize,
  type SharedEventSubscriber,
  sendSharedEvent,
  sendText,
  trackedTail,
} from './frames';
import { KeepAliveSweep, type KeptAlive } from './keep-alive';
import { CLOSE_TOO_SLOW, DEFAULT_WS_LIMITS, type WSSHandlerOptions, type WsLimits } from './options';
import { ABORTED, drained, nextOrAbort, toAsyncIterable } from './pulled-streams';
import { isPushStream, PUSH_STREAM, type PushEnd } from './push-stream';
import {
  type BroadcastFeed,
  PushSubscription,
  StreamSubscription,
  type SubscriptionCall,
  type SubscriptionConnection,
} from './push-subscription';
import { flushCorked } from './tick-batch';

type ConnectionOptions<TRouter extends AnyTRPCRouter> = Omit<WSSHandlerOptions<TRouter>, 'wss' | 'prefix'>;

/** How long a cut-off client has to read its close frame before its socket (and backlog) is dropped. */
const CUT_OFF_GRACE_MS = 5_000;
/** Calls started in one turn of the event loop before the rest wait for the next, so other sockets get served. */
const CALLS_PER_TURN = 32;

type Call = Extract<TRPCClientOutgoingMessage, { method: 'query' | 'mutation' | 'subscription' }> & {
  id: number | string;
};
type CallType = Call['method'] | 'unknown';

/** A pulled subscription stops through its procedure's signal. */
interface PulledSubscription extends SubscriptionCall {
  abort: AbortController;
}

/** What every connection of one handler shares, worked out once. */
interface Shared<TRouter extends AnyTRPCRouter> {
  opts: ConnectionOptions<TRouter>;
  config: TRouter['_def']['_config'];
  limits: WsLimits;
  /** The router's output transformer, or undefined when it has none (then frames need no extra step). */
  serialize: Serialize | undefined;
  /** Pings idle connections and cuts silent ones, when keepAlive is enabled. */
  keepAlive: KeepAliveSweep | null;
}

/**
 * The connection handler: tRPC's WebSocket protocol as the stock adapter
 * speaks it (the unmodified `wsLink` is the client), with every buffer of a
 * connection bounded. Subscriptions that are `PushStream`s take the fast
 * path: one pre-serialized frame per subscriber per event, written straight
 * to the socket. Any other async iterable or observable is pulled like the
 * stock adapter pulls it, pausing while the socket's backlog is high.
 */
export function getWSConnectionHandler<TRouter extends AnyTRPCRouter>(opts: ConnectionOptions<TRouter>) {
  const config = opts.router._def._config;
  const shared: Shared<TRouter> = {
    opts,
    config,
    limits: { ...DEFAULT_WS_LIMITS, ...opts.limits },
    serialize:
      config.transformer === defaultTransformer ? undefined : (data) => config.transformer.output.serialize(data),
    keepAlive: opts.keepAlive?.enabled ? new KeepAliveSweep(opts.keepAlive.pingMs, opts.keepAlive.pongWaitMs) : null,
  };
  return (ws: WebSocket, req: IncomingMessage): void => {
    new Connection(ws, req, shared);
  };
}

const CONNECTION = Symbol('trpc-ws connection');
/** A context made: one object for every connection. */
const CONTEXT_MADE = { ok: true } as const;
/** What a socket's shared listeners call on its connection. */
interface SocketEvents {
  received(raw: Buffer, isBinary: boolean): void;
  socketError(cause: Error): void;
  onClose(): void;
}
type OwnedSocket = WebSocket & { [CONNECTION]: SocketEvents };

function onSocketMessage(this: WebSocket, raw: Buffer, isBinary: boolean): void {
  (this as OwnedSocket)[CONNECTION].received(raw, isBinary);
}
function onSocketError(this: WebSocket, cause: Error): void {
  (this as OwnedSocket)[CONNECTION].socketError(cause);
}
function onSocketClose(this: WebSocket): void {
  (this as OwnedSocket)[CONNECTION].onClose();
}

/**
 * One WebSocket's protocol state. Its methods live on the prototype: a server
 * holds tens of thousands of these, so a connection costs its fields, not a
 * set of closures.
 */
class Connection<TRouter extends AnyTRPCRouter>
  implements KeptAlive, SocketEvents, FrameTarget, SubscriptionConnection
{
  private ctx: inferRouterContext<TRouter> | undefined = undefined;
  private ctxPromise: Promise<{ ok: true } | { ok: false; error: TRPCError }> | null = null;
  /** Set once the connection is being closed: nothing more is read, run or sent. */
  private closing = false;
  /** Running subscriptions by id; unsubscribe() stops one and tells the client. */
  private running: Map<number | string, { unsubscribe(): void }> | null = null;
  private subscriptionsStarting = 0;
  /** Calls waiting for a slot; while it is long the socket is paused, so the client's frames wait in TCP. */
  private queued: { call: Call; batchIndex: number }[] | null = null;
  private inFlight = 0;
  private pumpScheduled = false;
  private paramsDeadline: NodeJS.Timeout | null = null;
  /** Aborted when the socket closes (createContext's `info.signal`), made on first use. */
  private closedController: AbortController | null = null;
  /** Compression negotiated (frames then go through ws). */
  readonly compressed: boolean;
  /** What push subscriptions' frames are broadcast with: the adapter's, or none when compressed. */
  readonly feed: BroadcastFeed | null;
  // This connection's writes per tick (tick-batch.ts): its frames of one tick leave in one socket write.
  lastWriteTick = -1;
  corkedTick = -1;
  // The keepalive sweep's marks (keep-alive.ts).
  heard = false;
  quietSince = 0;
  pingedAt = 0;

  constructor(
    readonly ws: WebSocket,
    private req: IncomingMessage | null,
    private readonly shared: Shared<TRouter>,
  ) {
    const { limits } = shared;
    this.compressed = negotiatedCompression(ws);
    this.feed = this.compressed ? null : shared;
    shared.keepAlive?.watch(this);
    if (new URL(req?.url ?? '/', 'http://localhost').searchParams.get('connectionParams') !== '1') {
      this.createContext(() => null);
    } else {
      // A client that announced connectionParams and never sends them holds a socket for nothing.
      this.paramsDeadline = setTimeout(() => {
        if (!this.ctxPromise) ws.close(1008, 'no connection params: send them when the socket opens');
      }, limits.connectionParamsTimeoutMs);
    }
    // The socket's listeners are shared functions that find their connection on it: closures would cost each socket.
    (ws as OwnedSocket)[CONNECTION] = this;
    ws.on('message', onSocketMessage);
    // An unhandled socket error would end the process ("Invalid WebSocket frame: RSV2 and RSV3 must be clear").
    ws.on('error', onSocketError);
    ws.on('close', onSocketClose);
  }

  /** A frame from the socket. */
  received(raw: Buffer, isBinary: boolean): void {
    try {
      this.onMessage(raw, isBinary);
    } catch (cause) {
      // A bug here must cost this connection, never the process.
      this.reportError(getTRPCErrorFromUnknown(cause), 'unknown');
      this.closing = true;
      this.ws.close(1011, 'internal error');
    }
  }

  socketError(cause: Error): void {
    this.reportError(getTRPCErrorFromUnknown(cause), 'unknown');
  }

  // ---------------------------------------------------------------- sending

  /** The keepalive sweep found the connection idle. */
  ping(): void {
    sendText(this, 'PING');
  }

  /** The keepalive sweep got no answer to its PING: cut without a close frame, as tRPC's keepalive does. */
  terminate(): void {
    this.ws.terminate();
  }

  /** Sends one message (transformed, encoded); returns the connection's backlog after it. */
  private respond(message: TRPCResponseMessage): number {
    if (this.closing) return 0;
    const { ws } = this;
    const encoder = this.shared.opts.experimental_encoder;
    const wire = transformTRPCResponse(this.shared.config, message);
    if (!encoder) return this.checkBacklog(sendText(this, JSON.stringify(wire)));
    if (ws.readyState !== WebSocket.OPEN) return 0;
    ws.send(encoder.encode(wire));
    return this.checkBacklog(ws.bufferedAmount);
  }

  private checkBacklog(backlog: number): number {
    const { maxBufferedBytes } = this.shared.limits;
    if (backlog > maxBufferedBytes) {
      // Frames held back by this tick's cork have not been offered to the kernel: offer them, then judge.
      const { socket } = openWs(this.ws);
      if (socket && flushCorked(socket)) backlog = this.ws.bufferedAmount;
    }
    if (backlog > maxBufferedBytes) this.cutOff();
    return backlog;
  }

  /** The client stopped reading: cut it off (it resumes later) rather than hold its backlog. */
  private cutOff(): void {
    if (this.closing) return;
    this.closing = true;
    const { ws } = this;
    ws.close(CLOSE_TOO_SLOW, 'too slow: reconnect and resume');
    // A client that reads nothing never reads the close frame either: drop its backlog soon, not in ws's 30 s.
    setTimeout(() => ws.terminate(), CUT_OFF_GRACE_MS).unref();
  }

  private reportError(error: TRPCError, type: CallType, path?: string, input?: unknown): void {
    const req = this.req as IncomingMessage;
    this.shared.opts.onError?.({ error, type, path, input, ctx: this.ctx, req });
  }

  /** Reports the error (onError) and answers it. */
  private fail(
    id: number | string | null,
    jsonrpc: '2.0' | undefined,
    cause: unknown,
    type: CallType,
    path?: string,
    input?: unknown,
  ): void {
    const error = getTRPCErrorFromUnknown(cause);
    this.reportError(error, type, path, input);
    this.answerError(id, jsonrpc, error, type, path, input);
  }

  private answerError(
    id: number | string | null,
    jsonrpc: '2.0' | undefined,
    error: TRPCError,
    type: CallType,
    path?: string,
    input?: unknown,
  ): void {
    const shape = getErrorShape({ config: this.shared.config, error, type, path, input, ctx: this.ctx });
    this.respond({ id, jsonrpc, error: shape });
  }

  // ---------------------------------------------------------------- context

  private createContext(connectionParams: () => Record<string, string | undefined> | null): void {
    this.ctxPromise = (async () => {
      try {
        this.ctx = await this.shared.opts.createContext?.({
          req: this.req as IncomingMessage,
          res: this.ws,
          info: this.requestInfo(connectionParams()),
        });
        if (this.shared.opts.keepUpgradeRequest === false) this.req = null;
        return CONTEXT_MADE;
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        this.fail(null, undefined, error, 'unknown');
        setImmediate(() => this.ws.close());
        return { ok: false as const, error };
      }
    })();
  }

  private requestInfo(connectionParams: Record<string, string | undefined> | null) {
    const connection = this;
    return {
      connectionParams,
      calls: [],
      isBatchCall: false,
      accept: null,
      type: 'unknown' as const,
      url: null,
      // Made only for a context that asks for it: most never do, and every connection would pay for one.
      get signal() {
        connection.closedController ??= new AbortController();
        if (connection.closing) connection.closedController.abort();
        return connection.closedController.signal;
      },
    };
  }

  // ---------------------------------------------------------------- frames

  private onMessage(raw: Buffer, isBinary: boolean): void {
    this.heard = true;
    if (this.closing) return;
    if (isBinary) {
      this.onData(raw);
      return;
    }
    const text = raw.toString('utf8');
    if (text === 'PONG') return;
    if (text === 'PING') {
      if (!this.shared.opts.dangerouslyDisablePong) sendText(this, 'PONG');
      return;
    }
    this.onData(text);
  }

  private decode(data: string | Buffer): unknown {
    return (this.shared.opts.experimental_encoder ?? jsonEncoder).decode(data);
  }

  private onData(data: string | Buffer): void {
    const { limits, config } = this.shared;
    if (!this.ctxPromise) {
      if (this.paramsDeadline) clearTimeout(this.paramsDeadline);
      // The first frame carries the connection params (the client asked for it with ?connectionParams=1).
      this.createContext(() => {
        let message: unknown;
        try {
          message = this.decode(data);
          if (!isObject(message)) throw new Error('Message was not an object');
        } catch (cause) {
          throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
        }
        return parseConnectionParamsFromUnknown(message.data);
      });
      return;
    }
    let messages: TRPCClientOutgoingMessage[];
    try {
      const decoded = this.decode(data);
      const items = Array.isArray(decoded) ? decoded : [decoded];
      if (items.length > limits.maxBatch) {
        this.refuseBatch(items);
        return;
      }
      messages = items.map((item) => parseTRPCMessage(item, config.transformer) as TRPCClientOutgoingMessage);
    } catch (cause) {
      // Answered, not reported: a client's malformed frame is not a server error (as the stock adapter).
      this.answerError(null, undefined, new TRPCError({ code: 'PARSE_ERROR', cause }), 'unknown');
      return;
    }
    for (const [batchIndex, message] of messages.entries()) {
      if (message.id === null) {
        this.fail(
          null,
          message.jsonrpc,
          new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }),
          'unknown',
        );
      } else if (message.method === 'subscription.stop') {
        this.running?.get(message.id)?.unsubscribe();
      } else {
        this.queued ??= [];
        this.queued.push({ call: message as Call, batchIndex });
      }
    }
    // Enough waiting: stop reading until the calls catch up (the client's frames wait in TCP, not here).
    if ((this.queued?.length ?? 0) >= limits.maxBatch) this.ws.pause();
    this.pump();
  }

  /** A frame with too many calls: each call in it is answered with the reason, none is run. */
  private refuseBatch(items: unknown[]): void {
    const error = new TRPCError({
      code: 'BAD_REQUEST',
      message: `one message may carry at most ${this.shared.limits.maxBatch} calls (this one had ${items.length})`,
    });
    let answered = 0;
    for (const item of items) {
      const id = isObject(item) ? item.id : undefined;
      if ((typeof id === 'number' || typeof id === 'string') && !this.closing) {
        this.fail(id, undefined, error, 'unknown');
        answered++;
      }
    }
    if (answered === 0) this.fail(null, undefined, error, 'unknown');
  }

  // ---------------------------------------------------------------- flow control

  private pump(): void {
    this.pumpScheduled = false;
    const queued = this.queued;
    if (!queued) return;
    const { limits } = this.shared;
    let started = 0;
    while (queued.length > 0 && this.inFlight < limits.maxInFlight && !this.closing) {
      if (started === CALLS_PER_TURN) {
        // A big batch yields: the rest starts on the next turn, after other sockets' work.
        this.schedulePump();
        break;
      }
      started++;
      this.inFlight++;
      const { call, batchIndex } = queued.shift() as { call: Call; batchIndex: number };
      void this.handleCall(call, batchIndex).finally(() => this.callDone());
    }
    if (queued.length < limits.maxBatch && this.ws.isPaused) this.ws.resume();
    // An emptied array keeps its capacity: let it go (a server holds tens of thousands of connections).
    if (queued.length === 0) this.queued = null;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  private callDone(): void {
    this.inFlight--;
    if ((this.queued?.length ?? 0) > 0) this.schedulePump();
  }

  // ---------------------------------------------------------------- calls

  private async handleCall(call: Call, batchIndex: number): Promise<void> {
    const { id, jsonrpc, method: type } = call;
    const { path, lastEventId } = call.params;
    let input = call.params.input;
    if (lastEventId !== undefined) {
      // As the stock adapter: an object input gets the id; a missing one becomes { lastEventId }.
      if (isObject(input)) input = { ...input, lastEventId };
      else input ??= { lastEventId };
    }
    try {
      const context = await (this.ctxPromise as NonNullable<Connection<TRouter>['ctxPromise']>);
      if (!context.ok) throw context.error;
      if (type === 'subscription') this.assertMaySubscribe(id);
      // Only a subscription outlives its call and needs telling when to stop.
      const abort = type === 'subscription' ? new AbortController() : null;
      if (abort) this.subscriptionsStarting++;
      const result = await callProcedure({
        router: this.shared.opts.router,
        path,
        getRawInput: async () => input,
        ctx: this.ctx,
        type,
        signal: abort?.signal,
        batchIndex,
      }).finally(() => {
        if (abort) this.subscriptionsStarting--;
      });
      const streams = isPushStream(result) || isAsyncIterable(result) || isObservable(result);
      if (!abort) {
        if (streams) {
          throw new TRPCError({
            code: 'UNSUPPORTED_MEDIA_TYPE',
            message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
          });
        }
        this.respond({ id, jsonrpc, result: { type: 'data', data: result } });
        return;
      }
      if (!streams) {
        throw new TRPCError({
          code: 'INTERNAL_SERVER_ERROR',
          message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
        });
      }
      if (this.ws.readyState !== WebSocket.OPEN || this.closing) {
        // The client left while the subscription was being set up.
        abort.abort();
        if (isPushStream(result)) result.stop();
        return;
      }
      if (isPushStream(result) && !this.shared.opts.experimental_encoder) {
        // A push stream stops through stop(): its signal is let go (tens of thousands of them add up).
        // A stream that is its own subscription (extends PushSubscription) needs no object beside it.
        const subscription = result instanceof PushSubscription ? result : new StreamSubscription(result);
        subscription.runOn(this, { id, jsonrpc, path, input });
        this.push(subscription);
      } else this.pull({ id, jsonrpc, path, input, abort }, toAsyncIterable(result, abort.signal));
    } catch (cause) {
      this.fail(id, jsonrpc, cause, type, path, input);
    }
  }

  private assertMaySubscribe(id: number | string): void {
    const { maxSubscriptions } = this.shared.limits;
    if (this.running?.has(id)) throw new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` });
    if ((this.running?.size ?? 0) + this.subscriptionsStarting >= maxSubscriptions) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `at most ${maxSubscriptions} subscriptions on one connection: stop one, or open another connection`,
      });
    }
  }

  /** Ends a subscription once: `stopped` unless it failed or the connection is going. */
  finish(subscription: SubscriptionCall & { abort?: AbortController }, end: PushEnd): void {
    const { id, jsonrpc, path, input } = subscription;
    if (!this.running?.delete(id)) return;
    subscription.abort?.abort();
    if (end.kind === 'slow') {
      this.cutOff();
      return;
    }
    if (end.kind === 'error') this.fail(id, jsonrpc, end.error, 'subscription', path, input);
    this.respond({ id, jsonrpc, result: { type: 'stopped' } });
  }

  /** The fast path: the stream pushes into the subscription, which writes each event as one frame. */
  private push(subscription: PushSubscription): void {
    this.running ??= new Map();
    this.running.set(subscription.id, subscription);
    // "started" waits for the stream's first frame (or for it to be live with nothing to send) and leaves in the
    // same write: a subscribe costs the server one socket write, not two.
    Promise.resolve(subscription[PUSH_STREAM](subscription)).then(
      () => this.announce(subscription),
      (error: unknown) => subscription.end({ kind: 'error', error }),
    );
  }

  /** Tells the client its subscription started, once, while it runs. */
  announce(subscription: PushSubscription): void {
    if (subscription.announced || this.running?.get(subscription.id) !== subscription) return;
    subscription.announced = true;
    this.respond({ id: subscription.id, jsonrpc: subscription.jsonrpc, result: { type: 'started' } });
  }

  /** One event of a push subscription of this connection; returns the connection's backlog after it. */
  pushEvent(subscriber: SharedEventSubscriber, eventId: string, data: unknown, event: object | null): number {
    if (this.closing) return 0;
    const { serialize } = this.shared;
    return this.checkBacklog(
      event
        ? sendSharedEvent(this, subscriber, event, eventId, data, serialize)
        : sendText(this, subscriber.head + trackedTail(eventId, data, serialize)),
    );
  }

  /** Any other stream: pulled one value at a time, and not pulled while the socket's backlog is high. */
  private pull(subscription: PulledSubscription, iterable: AsyncIterable<unknown>): void {
    const { id, jsonrpc, abort } = subscription;
    const { maxBufferedBytes } = this.shared.limits;
    this.running ??= new Map();
    this.running.set(id, { unsubscribe: () => abort.abort() });
    this.respond({ id, jsonrpc, result: { type: 'started' } });
    void (async () => {
      const iterator = iterable[Symbol.asyncIterator]();
      let end: PushEnd = { kind: 'done' };
      try {
        for (;;) {
          const next = await nextOrAbort(iterator, abort.signal);
          if (next === ABORTED || next.done) break;
          const value: unknown = next.value;
          const result = isTrackedEnvelope(value)
            ? { type: 'data' as const, id: value[0], data: { id: value[0], data: value[1] } }
            : { type: 'data' as const, data: value };
          const backlog = this.respond({ id, jsonrpc, result });
          if (backlog > maxBufferedBytes / 4) await drained(this.ws, maxBufferedBytes / 8, abort.signal);
        }
      } catch (error) {
        end = { kind: 'error', error };
      } finally {
        // Lets the generator run its `finally` (it is not waiting in next() any more).
        void Promise.resolve(iterator.return?.()).catch(() => {});
      }
      this.finish(subscription, end);
    })();
  }

  onClose(): void {
    this.closing = true;
    this.shared.keepAlive?.forget(this);
    if (this.paramsDeadline) clearTimeout(this.paramsDeadline);
    if (this.queued) this.queued.length = 0;
    for (const subscription of this.running?.values() ?? []) subscription.unsubscribe();
    this.running?.clear();
    this.closedController?.abort();
  }
}

/** Hubbub's WebSocket handler on `wss`, used as `applyWSSHandler` of `@trpc/server/adapters/ws` is. */
export function applyWSSHandler<TRouter extends AnyTRPCRouter>(opts: WSSHandlerOptions<TRouter>) {
  const onConnection = getWSConnectionHandler(opts);
  opts.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    if (opts.prefix && !req.url?.startsWith(opts.prefix)) return;
    onConnection(ws, req);
  });
  return {
    /** Tells every client to reconnect (shutdown, deploy): wsLink reconnects and resumes its subscriptions. */
    broadcastReconnectNotification(): void {
      broadcastReconnect(opts.wss, opts.experimental_encoder?.encode ?? JSON.stringify);
    },
  };
}

function broadcastReconnect(wss: WebSocketServer, encode: (message: unknown) => string | Uint8Array): void {
  const frame = encode({ id: null, method: 'reconnect' });
  for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
}
