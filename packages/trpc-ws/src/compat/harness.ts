import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import {
  createTRPCClient,
  createWSClient,
  type TRPCClient,
  type TRPCLink,
  type WebSocketClientOptions,
  wsLink,
} from '@trpc/client';
import type { AnyTRPCRouter, TRPCCombinedDataTransformer } from '@trpc/server';
import { applyWSSHandler as stockApply, type WSSHandlerOptions } from '@trpc/server/adapters/ws';
import { vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { applyWSSHandler as oursApply } from '../index';

/** The stock adapter's entry point: the signature `@hubbub/trpc-ws` must be a drop-in for. */
export type ApplyWSSHandler = typeof stockApply;

/**
 * Every case runs against both. A case that fails on stock is a wrong test;
 * one that fails only on ours is a compatibility bug.
 */
export const adapters: [name: string, apply: ApplyWSSHandler][] = [
  ['stock', stockApply],
  // A cast only because TypeScript cannot relate the two generic signatures; types.test.ts checks the real thing.
  ['@hubbub/trpc-ws', oursApply as ApplyWSSHandler],
];

/** vi.waitFor with room for a loaded machine: it returns as soon as the assertion holds. */
export const eventually = <T>(assertion: () => T | Promise<T>) =>
  vi.waitFor(assertion, { timeout: 5_000, interval: 5 });

export interface TestServer extends AsyncDisposable {
  wss: WebSocketServer;
  /** `ws://127.0.0.1:<port>`; add a path for prefix cases. */
  url: string;
  /** The server's end of every connection so far, in order. */
  sockets: WebSocket[];
  /** Cuts every connection without a close handshake (a crash, a dropped proxy): clients reconnect. */
  dropConnections(): void;
}

/** A bare WebSocketServer on an ephemeral port, for cases that apply more than one handler. */
export async function listen(): Promise<TestServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const sockets: WebSocket[] = [];
  wss.on('connection', (ws) => sockets.push(ws));
  const { port } = wss.address() as AddressInfo;
  return {
    wss,
    url: `ws://127.0.0.1:${port}`,
    sockets,
    dropConnections() {
      for (const ws of wss.clients) ws.terminate();
    },
    async [Symbol.asyncDispose]() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}

/** A server with one adapter applied: `handler` is what `applyWSSHandler` returned. */
export async function serve<TRouter extends AnyTRPCRouter>(
  apply: ApplyWSSHandler,
  options: Omit<WSSHandlerOptions<TRouter>, 'wss'>,
): Promise<TestServer & { handler: ReturnType<ApplyWSSHandler> }> {
  const server = await listen();
  const handler = apply({ ...options, wss: server.wss } as WSSHandlerOptions<TRouter>);
  return Object.assign(server, { handler });
}

export type ClientOptions = Partial<WebSocketClientOptions> & {
  /** The router's transformer, when it has one (wsLink must be told). */
  transformer?: TRPCCombinedDataTransformer | { serialize(v: unknown): unknown; deserialize(v: unknown): unknown };
};

export interface TestClient<TRouter extends AnyTRPCRouter> extends AsyncDisposable {
  client: TRPCClient<TRouter>;
  wsClient: ReturnType<typeof createWSClient>;
  /** Called on every socket open / close of this client. */
  opened: ReturnType<typeof vi.fn>;
  closed: ReturnType<typeof vi.fn>;
}

/** The unmodified `@trpc/client` over `wsLink`, eager unless `lazy` says otherwise; reconnects fast. */
export function connect<TRouter extends AnyTRPCRouter>(url: string, options: ClientOptions = {}): TestClient<TRouter> {
  const { transformer, ...clientOptions } = options;
  const opened = vi.fn(clientOptions.onOpen);
  const closed = vi.fn(clientOptions.onClose);
  const wsClient = createWSClient({
    url,
    // `ws` is a WHATWG-compatible WebSocket for Node; the DOM type is what the client declares.
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 10,
    ...clientOptions,
    onOpen: opened,
    onClose: closed,
  });
  const link = wsLink({ client: wsClient, transformer } as Parameters<typeof wsLink<TRouter>>[0]) as TRPCLink<TRouter>;
  const client = createTRPCClient<TRouter>({ links: [link] });
  return {
    client,
    wsClient,
    opened,
    closed,
    async [Symbol.asyncDispose]() {
      // close() waits for in-flight calls; closing the socket too fails the ones a broken server never answers.
      const closing = wsClient.close();
      wsClient.connection?.ws.close();
      await closing;
    },
  };
}

type Frame = { text: string; binary: boolean };

/** A plain `ws` socket for wire-level cases: what it sends is exactly what the server reads. */
export class RawSocket implements AsyncDisposable {
  private readonly frames: Frame[] = [];
  private readonly waiting: { resolve(frame: Frame): void; reject(error: Error): void }[] = [];
  private closeEvent: { code: number; reason: string } | null = null;
  /** Settles when the server (or the network) closes the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => {
      const frame = { text: data.toString('utf8'), binary };
      const waiter = this.waiting.shift();
      if (waiter) waiter.resolve(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeEvent = { code, reason: reason.toString() };
        for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`socket closed (${code}) before a frame`));
        resolve(this.closeEvent);
      });
    });
  }

  static async open(url: string): Promise<RawSocket> {
    const ws = new WebSocket(url);
    const socket = new RawSocket(ws);
    await once(ws, 'open');
    return socket;
  }

  /** Sends a string as-is, anything else as JSON; `binary` sends it as a binary frame. */
  send(message: unknown, options: { binary?: boolean } = {}): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.ws.send(options.binary ? Buffer.from(text) : text, { binary: options.binary ?? false });
  }

  /** The next frame from the server; rejects if the socket closes first or none comes within `deadlineMs`. */
  nextFrame(deadlineMs = 5_000): Promise<Frame> {
    const frame = this.frames.shift();
    if (frame) return Promise.resolve(frame);
    if (this.closeEvent) return Promise.reject(new Error(`socket closed (${this.closeEvent.code}) before a frame`));
    return new Promise((resolve, reject) => {
      // A deadline so a missing answer fails the case with a message, not the whole test's timeout.
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`no frame within ${deadlineMs} ms`));
      }, deadlineMs);
      const waiter = {
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiting.push(waiter);
    });
  }

  /** The next frame, parsed as JSON (a JSON-RPC response or notification). */
  // biome-ignore lint/suspicious/noExplicitAny: wire frames are asserted field by field
  async next(): Promise<any> {
    const frame = await this.nextFrame();
    return JSON.parse(frame.text);
  }

  /** The next `count` frames, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: wire frames are asserted field by field
  async take(count: number): Promise<any[]> {
    const frames = [];
    for (let i = 0; i < count; i++) frames.push(await this.next());
    return frames;
  }

  async [Symbol.asyncDispose]() {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}

/** An error frame's shape without `data.stack` (present in development, different per run). */
// biome-ignore lint/suspicious/noExplicitAny: wire frames are asserted field by field
export function withoutStack(frame: any): any {
  if (!frame?.error?.data) return frame;
  const { stack: _stack, ...data } = frame.error.data;
  return { ...frame, error: { ...frame.error, data } };
}
