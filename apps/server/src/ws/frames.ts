import type { Socket } from 'node:net';
import type { BusEvent } from '@hubbub/core';
import { WebSocket } from 'ws';

/**
 * A tracked data frame is `{"id":<subscription id>` (the head, fixed per
 * subscription) followed by a tail that is the same for every subscriber of
 * an event. Tails are serialized once per (event, event id) and shared by all
 * local subscribers, as bytes.
 */
export function trackedTail(eventId: string, data: unknown): string {
  const id = JSON.stringify(eventId);
  return `,"result":{"type":"data","id":${id},"data":{"id":${id},"data":${JSON.stringify(data)}}}}`;
}

const tails = new WeakMap<BusEvent, { eventId: string; bytes: Buffer }>();

/** The tail of `shared` for `eventId`, serialized by the first subscriber that needs it. */
export function sharedTailBytes(shared: BusEvent, eventId: string, data: unknown): Buffer {
  const cached = tails.get(shared);
  if (cached && cached.eventId === eventId) return cached.bytes;
  const bytes = Buffer.from(trackedTail(eventId, data));
  // One entry per event: subscribers at the same position (the usual case) share it.
  if (!cached) tails.set(shared, { eventId, bytes });
  return bytes;
}

/** `{"id":<id>` — the head of every response frame for one request id. */
export function frameHead(requestId: number | string): string {
  return `{"id":${JSON.stringify(requestId)}`;
}

interface WsInternals {
  _socket?: Socket;
  _sender?: { _state: number; _queue: unknown[] };
  _extensions?: Record<string, unknown>;
}

/**
 * Sends one text frame made of two byte ranges, the head and the shared tail,
 * with no per-subscriber serialization or UTF-8 encoding of the event. This writes to the
 * socket under `ws`, which is only sound while ws's sender has nothing queued
 * and no extension (compression) is negotiated; otherwise it falls back to
 * ws.send with the joined bytes.
 */
export function sendTextParts(ws: WebSocket, head: Buffer, tail: Buffer): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const { _socket: socket, _sender: sender, _extensions: extensions } = ws as unknown as WsInternals;
  if (!socket || !sender || sender._state !== 0 || sender._queue.length > 0 || Object.keys(extensions ?? {}).length) {
    ws.send(Buffer.concat([head, tail]), { binary: false });
    return;
  }
  if (tail.length <= COPY_TAIL_UP_TO) {
    // One buffer, one write: for a small frame, copying the tail (from Node's buffer pool) costs
    // less than the two more stream writes of a writev.
    socket.write(frameStart(head.length + tail.length, head, tail));
    return;
  }
  // A large tail is shared, not copied: every subscriber's frame points at the same bytes.
  socket.cork();
  socket.write(frameStart(head.length + tail.length, head));
  socket.write(tail);
  socket.uncork();
}

/** Tails up to this size are copied into each frame (Node pools allocations under 4 KiB). */
const COPY_TAIL_UP_TO = 2048;

/**
 * The start of an unmasked, final text frame with a payload of `length` bytes:
 * the header, then `head` and `tail` copied in (the rest, if any, is written after it).
 */
export function frameStart(length: number, head: Buffer, tail?: Buffer): Buffer {
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + head.length + (tail?.length ?? 0));
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
  head.copy(frame, headerLength);
  tail?.copy(frame, headerLength + head.length);
  return frame;
}
