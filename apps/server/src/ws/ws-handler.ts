import type { IncomingMessage } from 'node:http';
import { ResumableStream, type StreamEnd } from '@hubbub/api';
import { CLOSE_CODES, LIMITS } from '@hubbub/core';
import type { AnyTRPCRouter } from '@trpc/server';
import { handleKeepAlive } from '@trpc/server/adapters/ws';
import {
  callProcedure,
  getErrorShape,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  parseConnectionParamsFromUnknown,
  parseTRPCMessage,
  TRPCError,
} from '@trpc/server/unstable-core-do-not-import';
import { WebSocket, type WebSocketServer } from 'ws';
import { frameHead, sendText, sendTextParts, sharedTailBytes, trackedTail } from './frames';

type ProcedureType = 'query' | 'mutation' | 'subscription';
type ConnectionParams = Record<string, string | undefined> | null;

/** What one connection may ask of the server; every buffer and queue of a connection is bounded by these. */
export interface WsLimits {
  /** Calls one frame may carry (a batch). */
  maxBatch: number;
  /** Calls running at once; while this many run, the socket is not read (TCP pushes back on the client). */
  maxInFlight: number;
  /** Subscriptions open at once. */
  maxSubscriptions: number;
  /** Unsent bytes (responses and events alike) before the connection is cut off as too slow (close 4008). */
  maxBufferedBytes: number;
  /** A client that asked to send connectionParams must send them within this. */
  connectionParamsTimeoutMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxBatch: LIMITS.wsBatch,
  maxInFlight: 16,
  maxSubscriptions: LIMITS.subscriptionsPerConnection,
  maxBufferedBytes: 4 * 1024 * 1024,
  connectionParamsTimeoutMs: 10_000,
};

/** How long a cut-off client has to read its close frame before its socket (and backlog) is dropped. */
const CUT_OFF_GRACE_MS = 5_000;

/** Calls started in one turn of the event loop before the rest wait for the next, so other sockets get served. */
const CALLS_PER_TURN = 32;

export interface WsHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  createContext(opts: { req: IncomingMessage; ws: WebSocket; connectionParams: ConnectionParams }): Promise<TContext>;
  keepAlive?: { pingMs: number; pongWaitMs: number };
  onError?(opts: { error: TRPCError; path?: string; type: ProcedureType | 'unknown' }): void;
  limits?: Partial<WsLimits>;
}

type CallMessage = {
  id: number | string;
  method: ProcedureType;
  params: { path: string; input?: unknown; lastEventId?: string };
};

interface Running {
  stop(): void;
}

/**
 * Hubbub's implementation of tRPC's WebSocket protocol, wire-compatible with
 * the stock `wsLink` client (connectionParams, query/mutation/subscription,
 * subscription.stop, started/data/stopped/error, reconnect notification,
 * PING/PONG, tracked ids, batches). Subscriptions are ResumableStreams driven
 * in push mode: one pre-serialized frame per subscriber and the socket's own
 * backlog as the slow-consumer signal, instead of a generator, a promise race
 * and a JSON.stringify per subscriber per event.
 */
export function createWsHandler<TContext>(options: WsHandlerOptions<TContext>) {
  const { router } = options;
  const config = router._def._config;
  const limits = { ...DEFAULT_WS_LIMITS, ...options.limits };

  function onConnection(ws: WebSocket, upgradeRequest: IncomingMessage): void {
    // Held only until the context exists: a long-lived connection should not keep the request's headers.
    let req: IncomingMessage | null = upgradeRequest;
    const running = new Map<number | string, Running>();
    let ctx: TContext | undefined;
    type CtxResult = { ok: true; ctx: TContext } | { ok: false; error: TRPCError };
    let ctxPromise: Promise<CtxResult> | null = null;

    if (options.keepAlive) handleKeepAlive(ws, options.keepAlive.pingMs, options.keepAlive.pongWaitMs);

    /** Set once the connection is being closed: nothing more is read, run or sent. */
    let closing = false;
    /** The client stopped reading: cut it off (it resumes later) rather than hold its backlog. */
    const cutOff = () => {
      if (closing) return;
      closing = true;
      ws.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
      // A client that reads nothing never reads the close frame either: drop its backlog soon, not in ws's 30 s.
      setTimeout(() => ws.terminate(), CUT_OFF_GRACE_MS).unref();
    };
    const checkBacklog = (backlog: number) => {
      if (backlog > limits.maxBufferedBytes) cutOff();
      return backlog;
    };
    const send = (text: string) => (closing ? 0 : checkBacklog(sendText(ws, text)));
    const respond = (body: object) => send(JSON.stringify(body));
    const errorShape = (error: TRPCError, type: ProcedureType | 'unknown', path?: string, input?: unknown) =>
      getErrorShape({ config, error, type, path, input, ctx });
    const fail = (
      id: number | string | null,
      cause: unknown,
      type: ProcedureType | 'unknown',
      path?: string,
      input?: unknown,
    ) => {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError?.({ error, path, type });
      respond({ id, error: errorShape(error, type, path, input) });
    };

    const createContext = (params: () => ConnectionParams): Promise<CtxResult> =>
      (async (): Promise<CtxResult> => {
        try {
          ctx = await options.createContext({ req: req as IncomingMessage, ws, connectionParams: params() });
          req = null;
          return { ok: true, ctx };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          fail(null, error, 'unknown');
          setImmediate(() => ws.close());
          return { ok: false, error };
        }
      })();

    const url = new URL(upgradeRequest.url ?? '/', 'http://localhost');
    let paramsDeadline: NodeJS.Timeout | null = null;
    if (url.searchParams.get('connectionParams') !== '1') ctxPromise = createContext(() => null);
    else {
      // A client that announced connectionParams and never sends them holds a socket for nothing.
      paramsDeadline = setTimeout(() => {
        if (!ctxPromise) ws.close(CLOSE_CODES.unauthorized, 'no connection params: send them when the socket opens');
      }, limits.connectionParamsTimeoutMs);
    }

    /** Calls waiting for a slot; while it is long the socket is paused, so the client's frames wait in TCP. */
    const queued: CallMessage[] = [];
    let inFlight = 0;
    let subscriptionsStarting = 0;
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
        void call(queued.shift() as CallMessage).finally(callDone);
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

    async function call(msg: CallMessage) {
      const { id, method: type, params } = msg;
      const { path } = params;
      let input = params.input;
      if (params.lastEventId !== undefined) {
        input =
          input && typeof input === 'object'
            ? { ...input, lastEventId: params.lastEventId }
            : { lastEventId: params.lastEventId };
      }
      try {
        const result = await (ctxPromise as Promise<CtxResult>);
        if (!result.ok) throw result.error;
        if (type === 'subscription' && running.has(id)) {
          throw new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` });
        }
        if (type === 'subscription' && running.size + subscriptionsStarting >= limits.maxSubscriptions) {
          throw new TRPCError({
            code: 'TOO_MANY_REQUESTS',
            message: `at most ${limits.maxSubscriptions} subscriptions on one connection: stop one, or open another connection`,
          });
        }
        // Only a subscription outlives its call and needs telling when to stop.
        const abort = type === 'subscription' ? new AbortController() : null;
        if (abort) subscriptionsStarting++;
        const output = await callProcedure({
          router,
          path,
          getRawInput: async () => input,
          ctx: result.ctx,
          type,
          signal: abort?.signal,
          batchIndex: 0,
        }).finally(() => {
          if (abort) subscriptionsStarting--;
        });
        if (!abort) {
          if (isAsyncIterable(output)) {
            throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `a ${type} cannot return a stream` });
          }
          respond({ id, result: { type: 'data', data: output } });
          return;
        }
        if (ws.readyState !== WebSocket.OPEN) return abort.abort();
        // Every Hubbub subscription is a ResumableStream (the one path, and the fast one).
        if (!(output instanceof ResumableStream)) {
          throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `${path} did not return a ResumableStream` });
        }
        startFast(id, output, abort, path, input);
      } catch (cause) {
        fail(id, cause, type, path, input);
      }
    }

    /** Frames built once per event, sent straight from the hub's fan-out. */
    function startFast(
      id: number | string,
      stream: ResumableStream<unknown, unknown>,
      abort: AbortController,
      path: string,
      input: unknown,
    ) {
      const head = frameHead(id);
      const headBytes = Buffer.from(head);
      const stop = () => {
        stream.stop();
        abort.abort();
        running.delete(id);
        respond({ id, result: { type: 'stopped' } });
      };
      running.set(id, { stop });
      respond({ id, result: { type: 'started' } });
      void stream.start({
        send: (eventId, data, shared) =>
          closing
            ? 0
            : checkBacklog(
                shared
                  ? sendTextParts(ws, headBytes, sharedTailBytes(shared, eventId, data))
                  : sendText(ws, head + trackedTail(eventId, data)),
              ),
        end: (reason: StreamEnd) => {
          running.delete(id);
          abort.abort();
          if (reason.kind === 'slow') cutOff();
          else if (reason.kind === 'error') fail(id, reason.error, 'subscription', path, input);
          else respond({ id, result: { type: 'stopped' } });
        },
      });
    }

    function onMessage(raw: Buffer, isBinary: boolean) {
      if (closing) return;
      const text = isBinary ? null : raw.toString('utf8');
      if (text === 'PONG') return;
      if (text === 'PING') return void send('PONG');
      if (!ctxPromise) {
        if (paramsDeadline) clearTimeout(paramsDeadline);
        // The first frame carries the connection params (the client asked for it with ?connectionParams=1).
        ctxPromise = createContext(() => {
          try {
            const msg = text === null ? null : (JSON.parse(text) as { data?: unknown });
            if (!msg || typeof msg !== 'object') throw new Error('not an object');
            return parseConnectionParamsFromUnknown(msg.data);
          } catch (cause) {
            throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
          }
        });
        return;
      }
      let items: unknown[];
      let messages: ReturnType<typeof parseTRPCMessage>[];
      try {
        if (text === null) throw new Error('binary frames are not part of the protocol');
        const json: unknown = JSON.parse(text);
        items = Array.isArray(json) ? json : [json];
        if (items.length > limits.maxBatch) return refuseBatch(items);
        messages = items.map((m) => parseTRPCMessage(m, config.transformer));
      } catch (cause) {
        return fail(null, new TRPCError({ code: 'PARSE_ERROR', cause }), 'unknown');
      }
      for (const msg of messages) {
        if (msg.id === null) {
          fail(null, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }), 'unknown');
          continue;
        }
        if (msg.method === 'subscription.stop') {
          running.get(msg.id)?.stop();
          continue;
        }
        queued.push(msg as CallMessage);
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
        const id = (item as { id?: unknown } | null)?.id;
        if ((typeof id === 'number' || typeof id === 'string') && !closing) {
          fail(id, error, 'unknown');
          answered++;
        }
      }
      if (answered === 0) fail(null, error, 'unknown');
    }

    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      try {
        onMessage(raw, isBinary);
      } catch (cause) {
        // A bug here must cost this connection, never the process.
        options.onError?.({ error: getTRPCErrorFromUnknown(cause), type: 'unknown' });
        closing = true;
        ws.close(1011, 'internal error');
      }
    });

    ws.on('error', (cause) => options.onError?.({ error: getTRPCErrorFromUnknown(cause), type: 'unknown' }));
    ws.once('close', () => {
      closing = true;
      if (paramsDeadline) clearTimeout(paramsDeadline);
      queued.length = 0;
      for (const sub of running.values()) sub.stop();
      running.clear();
    });
  }

  return {
    onConnection,
    /** Tells every client to reconnect (shutdown, deploy): wsLink reconnects and resumes its subscriptions. */
    broadcastReconnectNotification(wss: WebSocketServer): void {
      const frame = JSON.stringify({ id: null, method: 'reconnect' });
      for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
    },
  };
}
