import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** Turns a result's data into what goes on the wire (the router's transformer); identity without one. */
export type Serialize = (data: unknown) => unknown;

/**
 * A tracked data frame is `{"id":<subscription id>` (the head, fixed per
 * subscription) followed by a tail that is the same for every subscriber of
 * an event. Tails are serialized once per (event, event id) and shared by all
 * local subscribers, as bytes.
 */
export function trackedTail(eventId: string, data: unknown, serialize?: Serialize): string {
  const id = JSON.stringify(eventId);
  const payload = serialize
    ? JSON.stringify(serialize({ id: eventId, data }))
    : `{"id":${id},"data":${JSON.stringify(data)}}`;
  return `,"result":{"type":"data","id":${id},"data":${payload}}}`;
}

const tails = new WeakMap<object, { eventId: string; bytes: Buffer }>();

/** The tail of `shared` for `eventId`, serialized by the first subscriber that needs it. */
export function sharedTailBytes(shared: object, eventId: string, data: unknown, serialize?: Serialize): Buffer {
  const cached = tails.get(shared);
  if (cached && cached.eventId === eventId) return cached.bytes;
  const bytes = Buffer.from(trackedTail(eventId, data, serialize));
  // One entry per event: subscribers at the same position (the usual case) share it.
  if (!cached) tails.set(shared, { eventId, bytes });
  return bytes;
}

/** `{"id":<id>` (and the request's `"jsonrpc"`, echoed) — the head of every response frame for one request. */
export function frameHead(requestId: number | string, jsonrpc?: '2.0'): string {
  return `{"id":${JSON.stringify(requestId)}${jsonrpc ? ',"jsonrpc":"2.0"' : ''}`;
}

interface WsInternals {
  _socket?: Socket;
  _sender?: { _state: number; _queue: unknown[] };
  _extensions?: Record<string, unknown>;
}

/**
 * The TCP socket under `ws`, when Hubbub may write frames to it itself: only
 * while ws's sender has nothing queued and no extension (compression) is
 * negotiated. Otherwise null, and the frame goes through ws.send.
 */
function directSocket(ws: WebSocket): Socket | null {
  const { _socket: socket, _sender: sender, _extensions: extensions } = ws as unknown as WsInternals;
  if (!socket || !sender || sender._state !== 0 || sender._queue.length > 0) return null;
  return extensions && Object.keys(extensions).length > 0 ? null : socket;
}

/**
 * Sends one text frame made of two byte ranges, the head and the shared tail,
 * with no per-subscriber serialization or UTF-8 encoding of the event.
 * Returns the bytes still waiting to go out on this connection.
 */
export function sendTextParts(ws: WebSocket, head: Buffer, tail: Buffer): number {
  if (ws.readyState !== WebSocket.OPEN) return 0;
  const socket = directSocket(ws);
  if (!socket) {
    ws.send(Buffer.concat([head, tail]), { binary: false });
    return ws.bufferedAmount;
  }
  const length = head.length + tail.length;
  if (tail.length <= COPY_TAIL_UP_TO) {
    // One buffer, one write: for a small frame, copying the tail (from Node's buffer pool) costs
    // less than the two more stream writes of a writev.
    const frame = frameWithHeader(length, length);
    const at = frame.length - length;
    head.copy(frame, at);
    tail.copy(frame, at + head.length);
    socket.write(frame);
    return socket.writableLength;
  }
  // A large tail is shared, not copied: every subscriber's frame points at the same bytes.
  const start = frameWithHeader(length, head.length);
  head.copy(start, start.length - head.length);
  socket.cork();
  socket.write(start);
  socket.write(tail);
  socket.uncork();
  return socket.writableLength;
}

/** Sends a text frame in one write, encoding the string straight into the frame; returns the backlog like sendTextParts. */
export function sendText(ws: WebSocket, text: string): number {
  if (ws.readyState !== WebSocket.OPEN) return 0;
  const socket = directSocket(ws);
  if (!socket) {
    ws.send(text);
    return ws.bufferedAmount;
  }
  const length = Buffer.byteLength(text);
  const frame = frameWithHeader(length, length);
  frame.write(text, frame.length - length, 'utf8');
  socket.write(frame);
  return socket.writableLength;
}

/** Tails up to this size are copied into each frame (Node pools allocations under 4 KiB). */
const COPY_TAIL_UP_TO = 2048;

/**
 * A buffer holding the header of an unmasked, final text frame with a payload
 * of `length` bytes, then room for the first `room` bytes of that payload.
 */
export function frameWithHeader(length: number, room: number): Buffer {
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + room);
  frame[0] = 0x81;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  return frame;
}
