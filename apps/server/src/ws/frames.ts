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
 * Sends one text frame made of two byte ranges without joining them: the
 * WebSocket header, the head and the shared tail go out in one writev, so no
 * per-subscriber copy or UTF-8 encoding of the event. This writes to the
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
  socket.cork();
  socket.write(frameHeader(head.length + tail.length));
  socket.write(head);
  socket.write(tail);
  socket.uncork();
}

/** RFC 6455 header of an unmasked, final text frame of `length` bytes. */
export function frameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x81, length]);
  if (length < 65536) {
    const header = Buffer.allocUnsafe(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
    return header;
  }
  const header = Buffer.allocUnsafe(10);
  header[0] = 0x81;
  header[1] = 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length >>> 0, 6);
  return header;
}
