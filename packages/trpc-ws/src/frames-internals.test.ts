/**
 * frames.ts writes frames straight to the TCP socket under `ws`, and reads
 * three of ws's private fields to know when that is safe (directSocket):
 * `_socket`, `_sender._state` (idle, so `_sender._queue` is empty), and
 * `_extensions` (once, when the socket opens). A push subscription holds
 * `_socket` and `_sender` from the start (OpenWs): ws sets them once. They are
 * not ws's API, so ws is pinned exactly (pnpm-workspace.yaml's catalog) and
 * these tests name the field that an upgrade renamed or repurposed. When one
 * fails: read ws's lib/websocket.js and lib/sender.js, fix directSocket, then
 * move the pin.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { frameTarget, sendTextParts } from './frames';

/** The fields frames.ts reads, as it reads them. */
interface WsInternals {
  _socket?: unknown;
  _sender?: { _state?: unknown; _queue?: unknown } | null;
  _extensions?: unknown;
}

const internals = (ws: WebSocket) => ws as unknown as WsInternals;

let server: WebSocketServer | null = null;
let client: WebSocket | null = null;
afterEach(async () => {
  client?.terminate();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
  client = null;
});

/** An open pair: the server's side (the socket frames.ts writes to) and a client recording what arrives. */
async function openPair(perMessageDeflate: boolean) {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  const listening = server;
  const serverSide = new Promise<WebSocket>((resolve) => listening.once('connection', resolve));
  await new Promise((resolve) => listening.once('listening', resolve));
  const { port } = listening.address() as AddressInfo;
  const received: { text: string; binary: boolean }[] = [];
  const opened = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate });
  client = opened;
  opened.on('message', (data: Buffer, binary) => received.push({ text: data.toString(), binary }));
  await new Promise((resolve, reject) => {
    opened.once('open', resolve);
    opened.once('error', reject);
  });
  return { ws: await serverSide, received };
}

describe('the ws internals frames.ts relies on', () => {
  it('ws is pinned to one exact version in the catalog, and that version is installed', () => {
    const workspace = readFileSync(new URL('../../../pnpm-workspace.yaml', import.meta.url), 'utf8');
    const pinned = workspace.match(/^\s+ws:\s*"?([^"\s]+)"?\s*$/m)?.[1];
    const installed = (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
    expect(pinned, 'catalog ws: must be an exact version while frames.ts reads ws internals').toMatch(
      /^\d+\.\d+\.\d+$/,
    );
    expect(installed, 'installed ws differs from the catalog pin: run pnpm install').toBe(pinned);
  });

  it('an idle open socket: `_socket` is its net.Socket, `_sender` idle (`_state` 0, empty `_queue`), no `_extensions`', async () => {
    const { ws } = await openPair(false);
    const { _socket, _sender, _extensions } = internals(ws);
    expect(_socket, 'ws internal WebSocket#_socket (the TCP socket) changed').toBeInstanceOf(Socket);
    expect(_sender, 'ws internal WebSocket#_sender changed').toBeTypeOf('object');
    expect(_sender?._state, 'ws internal Sender#_state (0 = DEFAULT, idle) changed').toBe(0);
    expect(_sender?._queue, 'ws internal Sender#_queue (sends waiting) changed').toEqual([]);
    expect(_extensions, 'ws internal WebSocket#_extensions (negotiated extensions) changed').toEqual({});
  });

  it('a busy sender leaves `_state` 0 and queues in `_queue`; sendTextParts then keeps the order by going through ws', async () => {
    const { ws, received } = await openPair(false);
    const { _socket: socket, _sender: sender } = internals(ws);
    // A Blob is read asynchronously: ws's sender is busy until it is, and sends made meanwhile wait in line.
    ws.send(new Blob(['first']));
    expect(sender?._state, 'ws internal Sender#_state no longer leaves 0 while a send is in progress').not.toBe(0);
    ws.send('second');
    expect(sender?._queue, 'ws internal Sender#_queue no longer holds the sends made while busy').toHaveLength(1);
    sendTextParts(frameTarget(ws), Buffer.from('{"id":1'), Buffer.from(',"third":true}'));
    await vi.waitFor(() => expect(received).toHaveLength(3));
    // Idle again means nothing waits: directSocket reads `_state` alone.
    expect(sender?._state, 'ws internal Sender#_state no longer returns to 0 once the queue is sent').toBe(0);
    expect(sender?._queue, 'ws internal Sender#_queue still holds sends once the sender is idle').toEqual([]);
    // What a subscriber took when the socket opened is still what ws writes with (openWs).
    expect(internals(ws)._sender, 'ws internal WebSocket#_sender is no longer set once').toBe(sender);
    expect(internals(ws)._socket, 'ws internal WebSocket#_socket is no longer set once').toBe(socket);
    expect(received).toEqual([
      { text: 'first', binary: true },
      { text: 'second', binary: false },
      { text: '{"id":1,"third":true}', binary: false },
    ]);
  });

  it('compression negotiated: `_extensions` names permessage-deflate', async () => {
    const { ws } = await openPair(true);
    expect(
      Object.keys(internals(ws)._extensions as object),
      'ws internal WebSocket#_extensions no longer lists the negotiated permessage-deflate',
    ).toEqual(['permessage-deflate']);
  });
});
