import type { IncomingMessage } from 'node:http';
import type { AnyTRPCRouter, inferRouterContext } from '@trpc/server';
import { handleKeepAlive, type WSSHandlerOptions as StockOptions } from '@trpc/server/adapters/ws';
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
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
import { frameHead, type Serialize, sendText, sendTextParts, sharedTailBytes, trackedTail } from './frames';
import { isPushStream, PUSH_STREAM, type PushEnd, type PushStream } from './push-stream';

/** What one connection may ask of the server; every queue and buffer of a connection is bounded by these. */
export interface WsLimits {
  /** Calls one frame may carry (a batch). */
  maxBatch: number;
  /** Calls running at once; while this many run, the socket is not read (TCP pushes back on the client). */
  maxInFlight: number;
  /** Subscriptions open at once. */
  maxSubscriptions: number;
  /** Unsent bytes (answers and events alike) before the connection is cut off as too slow (close 4008). */
  maxBufferedBytes: number;
  /** A client that asked to send connectionParams must send them within this. */
  connectionParamsTimeoutMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxBatch: 100,
  maxInFlight: 16,
  maxSubscriptions: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  connectionParamsTimeoutMs: 10_000,
};

/** The close code of a cut-off: the client fell too far behind; it may reconnect and resume. */
export const CLOSE_TOO_SLOW = 4008;

/** The stock adapter's options, and the limits that are this adapter's own. */
export type WSSHandlerOptions<TRouter extends AnyTRPCRouter> = StockOptions<TRouter> & {
  limits?: Partial<WsLimits>;
};

/** How long a cut-off client has to read its close frame before its socket (and backlog) is dropped. */
const CUT_OFF_GRACE_MS = 5_000;
/** Calls started in one turn of the event loop before the rest wait for the next, so other sockets get served. */
const CALLS_PER_TURN = 32;

type Call = Extract<TRPCClientOutgoingMessage, { method: 'query' | 'mutation' | 'subscription' }> & {
  id: number | string;
};
type CallType = Call['method'] | 'unknown';

/**
 * The connection handler: tRPC's WebSocket protocol as the stock adapter
 * speaks it (the unmodified `wsLink` is the client), with every buffer of a
 * connection bounded. Subscriptions that are `PushStream`s take the fast
 * path: one pre-serialized frame per subscriber per event, written straight
 * to the socket. Any other async iterable or observable is pulled like the
 * stock adapter pulls it, pausing while the socket's backlog is high.
 */
export function getWSConnectionHandler<TRouter extends AnyTRPCRouter>(
  opts: Omit<WSSHandlerOptions<TRouter>, 'wss' | 'prefix'>,
) {
  const { router } = opts;
  const config = router._def._config;
  const limits: WsLimits = { ...DEFAULT_WS_LIMITS, ...opts.limits };
  const encoder = opts.experimental_encoder;
  /** The router's output transformer, or undefined when it has none (then frames need no extra step). */
  const serialize: Serialize | undefined =
    config.transformer === defaultTransformer ? undefined : (data) => config.transformer.output.serialize(data);

  return (ws: WebSocket, req: IncomingMessage): void => {
    type Context = inferRouterContext<TRouter>;
    let ctx: Context | undefined;
    let ctxPromise: Promise<{ ok: true } | { ok: false; error: TRPCError }> | null = null;
    /** Set once the connection is being closed: nothing more is read, run or sent. */
    let closing = false;
    const abortAll = new AbortController();
    const running = new Map<number | string, { stop(): void }>();
    let subscriptionsStarting = 0;

    if (opts.keepAlive?.enabled) handleKeepAlive(ws, opts.keepAlive.pingMs, opts.keepAlive.pongWaitMs);

    /** The client stopped reading: cut it off (it resumes later) rather than hold its backlog. */
    const cutOff = () => {
      if (closing) return;
      closing = true;
      ws.close(CLOSE_TOO_SLOW, 'too slow: reconnect and resume');
      // A client that reads nothing never reads the close frame either: drop its backlog soon, not in ws's 30 s.
      setTimeout(() => ws.terminate(), CUT_OFF_GRACE_MS).unref();
    };
    const checkBacklog = (backlog: number) => {
      if (backlog > limits.maxBufferedBytes) cutOff();
      return backlog;
    };
    /** Sends one message (transformed, encoded); returns the connection's backlog after it. */
    const respond = (message: TRPCResponseMessage): number => {
      if (closing) return 0;
      const wire = transformTRPCResponse(config, message);
      if (!encoder) return checkBacklog(sendText(ws, JSON.stringify(wire)));
      if (ws.readyState !== WebSocket.OPEN) return 0;
      ws.send(encoder.encode(wire));
      return checkBacklog(ws.bufferedAmount);
    };
    const fail = (
      id: number | string | null,
      jsonrpc: '2.0' | undefined,
      cause: unknown,
      type: CallType,
      path?: string,
      input?: unknown,
    ) => {
      const error = getTRPCErrorFromUnknown(cause);
      opts.onError?.({ error, path, type, ctx, req, input });
      respond({ id, jsonrpc, error: getErrorShape({ config, error, type, path, input, ctx }) });
    };

    function createContext(connectionParams: () => Record<string, string | undefined> | null) {
      ctxPromise = (async () => {
        try {
          ctx = await opts.createContext?.({
            req,
            res: ws,
            info: {
              connectionParams: connectionParams(),
              calls: [],
              isBatchCall: false,
              accept: null,
              type: 'unknown',
              signal: abortAll.signal,
              url: null,
            },
          });
          return { ok: true as const };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          fail(null, undefined, error, 'unknown');
          setImmediate(() => ws.close());
          return { ok: false as const, error };
        }
      })();
    }

    let paramsDeadline: NodeJS.Timeout | null = null;
    if (new URL(req.url ?? '/', 'http://localhost').searchParams.get('connectionParams') !== '1') {
      createContext(() => null);
    } else {
      // A client that announced connectionParams and never sends them holds a socket for nothing.
      paramsDeadline = setTimeout(() => {
        if (!ctxPromise) ws.close(1008, 'no connection params: send them when the socket opens');
      }, limits.connectionParamsTimeoutMs);
    }

    // ---------------------------------------------------------------- flow control

    /** Calls waiting for a slot; while it is long the socket is paused, so the client's frames wait in TCP. */
    const queued: { call: Call; batchIndex: number }[] = [];
    let inFlight = 0;
    let pumpScheduled = false;

    function pump() {
      pumpScheduled = false;
      let started = 0;
      while (queued.length > 0 && inFlight < limits.maxInFlight && !closing) {
        if (started === CALLS_PER_TURN) {
          // A big batch yields: the rest starts on the next turn, after other sockets' work.
          schedulePump();
          break;
        }
        started++;
        inFlight++;
        const { call, batchIndex } = queued.shift() as { call: Call; batchIndex: number };
        void handleCall(call, batchIndex).finally(callDone);
      }
      if (queued.length < limits.maxBatch && ws.isPaused) ws.resume();
    }
    function schedulePump() {
      if (pumpScheduled) return;
      pumpScheduled = true;
      setImmediate(pump);
    }
    function callDone() {
      inFlight--;
      if (queued.length > 0) schedulePump();
    }

    // ---------------------------------------------------------------- calls

    async function handleCall(call: Call, batchIndex: number) {
      const { id, jsonrpc, method: type } = call;
      const { path, lastEventId } = call.params;
      let input = call.params.input;
      if (lastEventId !== undefined) {
        // As the stock adapter: an object input gets the id; a missing one becomes { lastEventId }.
        if (isObject(input)) input = { ...input, lastEventId };
        else input ??= { lastEventId };
      }
      try {
        const context = await (ctxPromise as NonNullable<typeof ctxPromise>);
        if (!context.ok) throw context.error;
        if (type === 'subscription') {
          if (running.has(id)) throw new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` });
          if (running.size + subscriptionsStarting >= limits.maxSubscriptions) {
            throw new TRPCError({
              code: 'TOO_MANY_REQUESTS',
              message: `at most ${limits.maxSubscriptions} subscriptions on one connection: stop one, or open another connection`,
            });
          }
        }
        // Only a subscription outlives its call and needs telling when to stop.
        const abort = type === 'subscription' ? new AbortController() : null;
        if (abort) subscriptionsStarting++;
        const result = await callProcedure({
          router,
          path,
          getRawInput: async () => input,
          ctx,
          type,
          signal: abort?.signal,
          batchIndex,
        }).finally(() => {
          if (abort) subscriptionsStarting--;
        });
        const streams = isPushStream(result) || isAsyncIterable(result) || isObservable(result);
        if (!abort) {
          if (streams) {
            throw new TRPCError({
              code: 'UNSUPPORTED_MEDIA_TYPE',
              message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
            });
          }
          respond({ id, jsonrpc, result: { type: 'data', data: result } });
          return;
        }
        if (!streams) {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: `Subscription ${path} did not return an observable or a AsyncGenerator`,
          });
        }
        if (ws.readyState !== WebSocket.OPEN || closing) {
          // The client left while the subscription was being set up.
          abort.abort();
          if (isPushStream(result)) result.stop();
          return;
        }
        const subscription = { call, abort, path, input };
        if (isPushStream(result) && !encoder) push(subscription, result);
        else pull(subscription, toAsyncIterable(result, abort.signal));
      } catch (cause) {
        fail(id, jsonrpc, cause, type, path, input);
      }
    }

    interface Subscription {
      call: Call;
      abort: AbortController;
      path: string;
      input: unknown;
    }

    /** Ends a subscription once: `stopped` unless it failed or the connection is going. */
    function finish({ call, abort, path, input }: Subscription, end: PushEnd) {
      if (!running.delete(call.id)) return;
      abort.abort();
      if (end.kind === 'slow') cutOff();
      else if (end.kind === 'error') fail(call.id, call.jsonrpc, end.error, 'subscription', path, input);
      if (end.kind !== 'slow') respond({ id: call.id, jsonrpc: call.jsonrpc, result: { type: 'stopped' } });
    }

    /** The fast path: the stream pushes; each event is one frame built from a head and a shared tail. */
    function push(subscription: Subscription, stream: PushStream) {
      const { call } = subscription;
      const head = frameHead(call.id, call.jsonrpc);
      const headBytes = Buffer.from(head);
      running.set(call.id, {
        stop: () => {
          stream.stop();
          finish(subscription, { kind: 'done' });
        },
      });
      respond({ id: call.id, jsonrpc: call.jsonrpc, result: { type: 'started' } });
      void stream[PUSH_STREAM]({
        send: (eventId, data, shared) =>
          closing
            ? 0
            : checkBacklog(
                shared
                  ? sendTextParts(ws, headBytes, sharedTailBytes(shared, eventId, data, serialize))
                  : sendText(ws, head + trackedTail(eventId, data, serialize)),
              ),
        end: (reason) => finish(subscription, reason),
      });
    }

    /** Any other stream: pulled one value at a time, and not pulled while the socket's backlog is high. */
    function pull(subscription: Subscription, iterable: AsyncIterable<unknown>) {
      const { call, abort } = subscription;
      running.set(call.id, { stop: () => abort.abort() });
      respond({ id: call.id, jsonrpc: call.jsonrpc, result: { type: 'started' } });
      void (async () => {
        const iterator = iterable[Symbol.asyncIterator]();
        let end: PushEnd = { kind: 'done' };
        try {
          for (;;) {
            const next = await nextOrAbort(iterator, abort.signal);
            if (next === ABORTED || next.done) break;
            const value: unknown = next.value;
            const backlog = isTrackedEnvelope(value)
              ? respond({
                  id: call.id,
                  jsonrpc: call.jsonrpc,
                  result: { type: 'data', id: value[0], data: { id: value[0], data: value[1] } },
                })
              : respond({ id: call.id, jsonrpc: call.jsonrpc, result: { type: 'data', data: value } });
            if (backlog > limits.maxBufferedBytes / 4) await drained(ws, limits.maxBufferedBytes / 8, abort.signal);
          }
        } catch (error) {
          end = { kind: 'error', error };
        } finally {
          // Lets the generator run its `finally` (it is not waiting in next() any more).
          void Promise.resolve(iterator.return?.()).catch(() => {});
        }
        finish(subscription, end);
      })();
    }

    // ---------------------------------------------------------------- frames

    function onMessage(raw: Buffer, isBinary: boolean) {
      if (closing) return;
      if (!isBinary) {
        const text = raw.toString('utf8');
        if (text === 'PONG') return;
        if (text === 'PING') {
          if (!opts.dangerouslyDisablePong) sendText(ws, 'PONG');
          return;
        }
        return onData(text);
      }
      onData(raw);
    }

    function decode(data: string | Buffer): unknown {
      if (encoder) return encoder.decode(data);
      if (typeof data !== 'string') throw new Error('binary frames are not part of the JSON protocol');
      return JSON.parse(data);
    }

    function onData(data: string | Buffer) {
      if (!ctxPromise) {
        if (paramsDeadline) clearTimeout(paramsDeadline);
        // The first frame carries the connection params (the client asked for it with ?connectionParams=1).
        createContext(() => {
          try {
            const message = decode(data);
            if (!isObject(message)) throw new Error('Message was not an object');
            return parseConnectionParamsFromUnknown(message.data);
          } catch (cause) {
            throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
          }
        });
        return;
      }
      let items: unknown[];
      let messages: TRPCClientOutgoingMessage[];
      try {
        const decoded = decode(data);
        items = Array.isArray(decoded) ? decoded : [decoded];
        if (items.length > limits.maxBatch) return refuseBatch(items);
        messages = items.map((item) => parseTRPCMessage(item, config.transformer) as TRPCClientOutgoingMessage);
      } catch (cause) {
        return fail(null, undefined, new TRPCError({ code: 'PARSE_ERROR', cause }), 'unknown');
      }
      for (const [batchIndex, message] of messages.entries()) {
        if (message.id === null) {
          fail(null, message.jsonrpc, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }), 'unknown');
        } else if (message.method === 'subscription.stop') {
          running.get(message.id)?.stop();
        } else {
          queued.push({ call: message as Call, batchIndex });
        }
      }
      // Enough waiting: stop reading until the calls catch up (the client's frames wait in TCP, not here).
      if (queued.length >= limits.maxBatch) ws.pause();
      pump();
    }

    /** A frame with too many calls: each call in it is answered with the reason, none is run. */
    function refuseBatch(items: unknown[]) {
      const error = new TRPCError({
        code: 'BAD_REQUEST',
        message: `one message may carry at most ${limits.maxBatch} calls (this one had ${items.length})`,
      });
      let answered = 0;
      for (const item of items) {
        const id = isObject(item) ? item.id : undefined;
        if ((typeof id === 'number' || typeof id === 'string') && !closing) {
          fail(id, undefined, error, 'unknown');
          answered++;
        }
      }
      if (answered === 0) fail(null, undefined, error, 'unknown');
    }

    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      try {
        onMessage(raw, isBinary);
      } catch (cause) {
        // A bug here must cost this connection, never the process.
        opts.onError?.({
          error: getTRPCErrorFromUnknown(cause),
          type: 'unknown',
          path: undefined,
          ctx,
          req,
          input: undefined,
        });
        closing = true;
        ws.close(1011, 'internal error');
      }
    });
    // An unhandled socket error would end the process ("Invalid WebSocket frame: RSV2 and RSV3 must be clear").
    ws.on('error', (cause) => {
      opts.onError?.({
        error: getTRPCErrorFromUnknown(cause),
        type: 'unknown',
        path: undefined,
        ctx,
        req,
        input: undefined,
      });
    });
    ws.once('close', () => {
      closing = true;
      if (paramsDeadline) clearTimeout(paramsDeadline);
      queued.length = 0;
      for (const subscription of running.values()) subscription.stop();
      running.clear();
      abortAll.abort();
    });
  };
}

/** Hubbub's WebSocket handler on `wss`, as `applyWSSHandler` of `@trpc/server/adapters/ws` is used. */
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

const ABORTED = Symbol('aborted');

/** The iterator's next value, or ABORTED as soon as `signal` aborts (a generator may wait forever). */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T> | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    // A listener per value, removed again: a long-lived race would keep every earlier promise alive.
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function toAsyncIterable(result: unknown, signal: AbortSignal): AsyncIterable<unknown> {
  return isObservable(result) ? observableToAsyncIterable(result, signal) : (result as AsyncIterable<unknown>);
}

interface WsInternals {
  _socket?: NodeJS.EventEmitter & { writableLength: number };
}

/** Resolves once the socket's backlog is under `lowWater` bytes (or the subscription ends). */
function drained(ws: WebSocket, lowWater: number, signal: AbortSignal): Promise<void> {
  const socket = (ws as unknown as WsInternals)._socket;
  if (!socket || ws.bufferedAmount <= lowWater || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (ws.bufferedAmount > lowWater && !signal.aborted && ws.readyState === WebSocket.OPEN) return;
      socket.off('drain', check);
      signal.removeEventListener('abort', check);
      ws.off('close', check);
      resolve();
    };
    socket.on('drain', check);
    signal.addEventListener('abort', check);
    ws.on('close', check);
  });
}
