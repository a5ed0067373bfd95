import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { beforeWrite, type TickWrites } from './tick-batch';

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

/**
 * What the subscribers of one event share: its tail, and the complete frames (WebSocket header + head + tail) of
 * the heads seen so far. Subscribers whose heads are byte-identical (the same subscription id: browsers running
 * the same app open their streams in the same order) get the same frame, built once. Held in a WeakMap keyed by
 * the shared event, so it goes with the event.
 */
interface SharedEvent {
  eventId: string;
  tail: Buffer;
  frames: Map<string, Buffer>;
}

/** Distinct heads whose complete frame is kept per event: bounds the cache however many ids subscribers use. */
export const MAX_SHARED_FRAMES = 8;

const events = new WeakMap<object, SharedEvent>();

/** What the subscribers of `shared` at `eventId` share, made by the first subscriber that needs it. */
function sharedEvent(shared: object, eventId: string, data: unknown, serialize?: Serialize): SharedEvent {
  const cached = events.get(shared);
  if (cached && cached.eventId === eventId) return cached;
  const entry = { eventId, tail: Buffer.from(trackedTail(eventId, data, serialize)), frames: new Map() };
  // One entry per event: subscribers at the same position (the usual case) share it.
  if (!cached) events.set(shared, entry);
  return entry;
}

/**
 * A WebSocket as the functions below write to it, with its writes per tick (the adapter's Connection is one).
 * `compressed` is read off the socket once, when it opens: extensions are negotiated in the handshake.
 */
export interface FrameTarget extends TickWrites {
  readonly ws: WebSocket;
  /** permessage-deflate was negotiated: every frame goes through ws, which compresses it. */
  readonly compressed: boolean;
}

/** Whether an open `ws` negotiated an extension (permessage-deflate, the only one ws knows). */
export function negotiatedCompression(ws: WebSocket): boolean {
  const { _extensions: extensions } = ws as unknown as WsInternals;
  return extensions !== undefined && hasAny(extensions);
}

/** A target for an open `ws` that has no connection object of its own. */
export function frameTarget(ws: WebSocket): FrameTarget {
  return { ws, compressed: negotiatedCompression(ws), lastWriteTick: -1, corkedTick: -1 };
}

/**
 * What a frame writer reads of an open `ws` on every frame: the socket, its TCP socket and its sender (ws sets
 * the last two once, when it opens). A subscriber that holds all three is read side by side, where reading them
 * through `ws` makes one cache miss wait for the other (at thousands of subscribers each is a likely miss).
 */
export interface OpenWs {
  readonly ws: WebSocket;
  readonly socket: Socket | undefined;
  readonly sender: WsSender | undefined;
}

/** The parts of `ws` a subscriber holds (see OpenWs). */
export function openWs(ws: WebSocket): OpenWs {
  const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
  return { ws, socket, sender };
}

/** A subscriber of shared events: its open socket and the head of its frames (`{"id":<subscription id>`). */
export interface SharedEventSubscriber extends OpenWs {
  readonly head: string;
}

/**
 * Sends one tracked event of `shared` to `subscriber`: the complete frame is built once per (event, head) and
 * the same bytes are written to every such socket, in one write. Returns the connection's backlog.
 */
export function sendSharedEvent(
  target: FrameTarget,
  subscriber: SharedEventSubscriber,
  shared: object,
  eventId: string,
  data: unknown,
  serialize: Serialize | undefined,
): number {
  const { ws, head } = subscriber;
  if (ws.readyState !== WebSocket.OPEN) return 0;
  const event = sharedEvent(shared, eventId, data, serialize);
  const socket = writableDirectly(target, subscriber.socket, subscriber.sender);
  if (!socket) return sendThroughWs(ws, Buffer.from(head), event.tail);
  beforeWrite(target, socket, false);
  const frame = keptFrame(event, head);
  if (frame) socket.write(frame);
  else writeParts(socket, Buffer.from(head), event.tail);
  return socket.writableLength;
}

/** The complete frame of `event` for `head`, kept with the event for the next subscriber (up to MAX_SHARED_FRAMES heads). */
function keptFrame(event: SharedEvent, head: string): Buffer | undefined {
  let frame = event.frames.get(head);
  if (!frame && event.frames.size < MAX_SHARED_FRAMES) {
    frame = completeFrame(Buffer.from(head), event.tail);
    event.frames.set(head, frame);
  }
  return frame;
}

/** The complete frame (header, head, tail) of one tracked event of `shared` for subscribers with `head`. */
export function sharedFrame(
  shared: object,
  eventId: string,
  data: unknown,
  serialize: Serialize | undefined,
  head: string,
): Buffer {
  const event = sharedEvent(shared, eventId, data, serialize);
  return keptFrame(event, head) ?? completeFrame(Buffer.from(head), event.tail);
}

/** Header, head and tail in one buffer. */
function completeFrame(head: Buffer, tail: Buffer): Buffer {
  const length = head.length + tail.length;
  const frame = frameWithHeader(length, length);
  const at = frame.length - length;
  head.copy(frame, at);
  tail.copy(frame, at + head.length);
  return frame;
}

/** `{"id":<id>` (and the request's `"jsonrpc"`, echoed) — the head of every response frame for one request. */
export function frameHead(requestId: number | string, jsonrpc?: '2.0'): string {
  return `{"id":${JSON.stringify(requestId)}${jsonrpc ? ',"jsonrpc":"2.0"' : ''}`;
}

/** ws's sender, as far as directSocket reads it: `_state` 0 is idle. */
export interface WsSender {
  _state: number;
}

interface WsInternals {
  _socket?: Socket;
  _sender?: WsSender;
  _extensions?: Record<string, unknown>;
}

/**
 * The TCP socket under `ws`, when Hubbub may write frames to it itself: only
 * while ws's sender is idle and no extension (compression) is negotiated.
 * Otherwise null, and the frame goes through ws.send. An idle sender (`_state`
 * 0) has nothing queued: ws queues sends only while one is in progress, and
 * sends the queue as soon as it is idle again, so the queue is not read here.
 */
function directSocket(target: FrameTarget): Socket | null {
  const { _socket: socket, _sender: sender } = target.ws as unknown as WsInternals;
  return writableDirectly(target, socket, sender);
}

/** directSocket, for a caller that holds the socket and the sender (OpenWs). */
function writableDirectly(
  target: FrameTarget,
  socket: Socket | undefined,
  sender: WsSender | undefined,
): Socket | null {
  return !target.compressed && socket && sender && senderIdle(sender) ? socket : null;
}

/** ws's sender has nothing in progress (so nothing queued): a frame written to the socket now keeps its place. */
export function senderIdle(sender: WsSender): boolean {
  return sender._state === 0;
}

/** True when `record` has a key (without Object.keys' array). */
function hasAny(record: Record<string, unknown>): boolean {
  for (const _ in record) return true;
  return false;
}

/**
 * Sends one text frame made of two byte ranges, the head and the shared tail,
 * with no per-subscriber serialization or UTF-8 encoding of the event.
 * Returns the bytes still waiting to go out on this connection.
 */
export function sendTextParts(target: FrameTarget, head: Buffer, tail: Buffer): number {
  const { ws } = target;
  if (ws.readyState !== WebSocket.OPEN) return 0;
  const socket = directSocket(target);
  if (!socket) return sendThroughWs(ws, head, tail);
  beforeWrite(target, socket, false);
  writeParts(socket, head, tail);
  return socket.writableLength;
}

/** ws's sender is busy (or compresses): the frame waits behind its queue, in order. */
function sendThroughWs(ws: WebSocket, head: Buffer, tail: Buffer): number {
  ws.send(Buffer.concat([head, tail]), { binary: false });
  return ws.bufferedAmount;
}

/** One frame of head and tail straight to the socket. */
function writeParts(socket: Socket, head: Buffer, tail: Buffer): void {
  if (tail.length <= COPY_TAIL_UP_TO) {
    // One buffer, one write: for a small frame, copying the tail (from Node's buffer pool) costs
    // less than the two more stream writes of a writev.
    socket.write(completeFrame(head, tail));
    return;
  }
  // A large tail is shared, not copied: every subscriber's frame points at the same bytes.
  const length = head.length + tail.length;
  const start = frameWithHeader(length, head.length);
  head.copy(start, start.length - head.length);
  socket.cork();
  socket.write(start);
  socket.write(tail);
  socket.uncork();
}

/**
 * Sends a text frame in one write, encoding the string straight into the frame; returns the backlog like
 * sendTextParts. Such frames (a replay page, a batch's answers) tend to come several to a tick: the socket is
 * corked until the next tick, so they leave in one socket write.
 */
export function sendText(target: FrameTarget, text: string): number {
  const { ws } = target;
  if (ws.readyState !== WebSocket.OPEN) return 0;
  const socket = directSocket(target);
  if (!socket) {
    ws.send(text);
    return ws.bufferedAmount;
  }
  beforeWrite(target, socket, true);
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
