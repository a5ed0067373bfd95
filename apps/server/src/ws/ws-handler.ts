import type { IncomingMessage } from 'node:http';
import { ResumableStream, type StreamEnd } from '@hubbub/api';
import { CLOSE_CODES } from '@hubbub/core';
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

export interface WsHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  createContext(opts: { req: IncomingMessage; ws: WebSocket; connectionParams: ConnectionParams }): Promise<TContext>;
  keepAlive?: { pingMs: number; pongWaitMs: number };
  onError?(opts: { error: TRPCError; path?: string; type: ProcedureType | 'unknown' }): void;
}

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

  function onConnection(ws: WebSocket, upgradeRequest: IncomingMessage): void {
    // Held only until the context exists: a long-lived connection should not keep the request's headers.
    let req: IncomingMessage | null = upgradeRequest;
    const running = new Map<number | string, Running>();
    let ctx: TContext | undefined;
    type CtxResult = { ok: true; ctx: TContext } | { ok: false; error: TRPCError };
    let ctxPromise: Promise<CtxResult> | null = null;

    if (options.keepAlive) handleKeepAlive(ws, options.keepAlive.pingMs, options.keepAlive.pongWaitMs);

    const send = (text: string) => sendText(ws, text);
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
    if (url.searchParams.get('connectionParams') !== '1') ctxPromise = createContext(() => null);

    async function call(msg: {
      id: number | string;
      method: ProcedureType;
      params: { path: string; input?: unknown; lastEventId?: string };
    }) {
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
        // Only a subscription outlives its call and needs telling when to stop.
        const abort = type === 'subscription' ? new AbortController() : null;
        const output = await callProcedure({
          router,
          path,
          getRawInput: async () => input,
          ctx: result.ctx,
          type,
          signal: abort?.signal,
          batchIndex: 0,
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
          shared
            ? sendTextParts(ws, headBytes, sharedTailBytes(shared, eventId, data))
            : sendText(ws, head + trackedTail(eventId, data)),
        end: (reason: StreamEnd) => {
          running.delete(id);
          abort.abort();
          if (reason.kind === 'slow') ws.close(CLOSE_CODES.slowConsumer, 'too slow: reconnect and resume');
          else if (reason.kind === 'error') fail(id, reason.error, 'subscription', path, input);
          else respond({ id, result: { type: 'stopped' } });
        },
      });
    }

    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const text = isBinary ? null : raw.toString('utf8');
      if (text === 'PONG') return;
      if (text === 'PING') return send('PONG');
      if (!ctxPromise) {
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
      let messages: ReturnType<typeof parseTRPCMessage>[];
      try {
        if (text === null) throw new Error('binary frames are not part of the protocol');
        const json: unknown = JSON.parse(text);
        messages = (Array.isArray(json) ? json : [json]).map((m) => parseTRPCMessage(m, config.transformer));
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
        void call(msg as Parameters<typeof call>[0]);
      }
    });

    ws.on('error', (cause) => options.onError?.({ error: getTRPCErrorFromUnknown(cause), type: 'unknown' }));
    ws.once('close', () => {
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
