import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * The WebSocket client of `pnpm bench:scale`'s load processes: a TCP socket, a fixed upgrade request and
 * a frame reader, nothing else. Why not `ws`: a profile of the load processes (raw `ws` server, 8,000
 * connects) had `ws`'s client at ~0.4 ms of CPU per connect (Node's `ClientRequest`, its response
 * parser, a random key and a SHA-1 per connection), so four load processes on two cores opened
 * ~2,100–2,500 connections a second whatever the server: the bench measured its own client.
 * It speaks what the bench needs: text frames out (masked), unfragmented or fragmented frames in,
 * pings answered; the handshake is taken as done on a `101` status (the accept hash is not checked).
 */

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
const HEADER_END = Buffer.from('\r\n\r\n');
/** Any 16 bytes in base64 do: the server only hashes the key back (which this client does not check). */
const KEY = randomBytes(16).toString('base64');

export interface LeanSocketOptions {
  localAddress?: string;
  /** A whole text or binary message from the server. */
  onMessage(data: Buffer): void;
  /** The connection ended; `code` is the server's close code when it sent one. */
  onClose?(code: number | null): void;
}

/** A client frame: FIN, the opcode, the MASK bit and the payload masked with `mask`. */
export function clientFrame(opcode: number, payload: Buffer, mask: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (head === 2) frame[1] = 0x80 | length;
  else if (head === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  mask.copy(frame, head);
  for (let i = 0; i < length; i++) frame[head + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

/**
 * Server frames out of a byte stream (the server never masks): whole messages to `onFrame`, a frame cut
 * across reads kept for the next one, fragments joined.
 */
export class FrameReader {
  private rest: Buffer | null = null;
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;

  constructor(private readonly onFrame: (opcode: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    const bytes = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    let at = 0;
    while (bytes.length - at >= 2) {
      const first = bytes[at] as number;
      let length = (bytes[at + 1] as number) & 0x7f;
      let head = 2;
      if (length === 126) {
        if (bytes.length - at < 4) break;
        length = bytes.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (bytes.length - at < 10) break;
        length = Number(bytes.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (bytes.length - at < head + length) break;
      this.frame(first, bytes.subarray(at + head, at + head + length));
      at += head + length;
    }
    this.rest = at === bytes.length ? null : bytes.subarray(at);
  }

  private frame(first: number, payload: Buffer): void {
    const fin = (first & 0x80) !== 0;
    const opcode = first & 0x0f;
    // Control frames are never fragmented and may arrive between a message's fragments.
    if (opcode >= OPCODE.close || (fin && this.fragments.length === 0)) {
      this.onFrame(opcode, payload);
      return;
    }
    if (opcode !== OPCODE.continuation) this.fragmentOpcode = opcode;
    this.fragments.push(payload);
    if (!fin) return;
    const whole = Buffer.concat(this.fragments);
    this.fragments = [];
    this.onFrame(this.fragmentOpcode, whole);
  }
}

/** An open connection: send text, or cut it. */
export interface LeanSocket {
  send(text: string): void;
  terminate(): void;
}

/** Opens a WebSocket to `url` (ws://host:port/path?query); resolves once the server answered 101. */
export function openLeanSocket(url: string, options: LeanSocketOptions): Promise<LeanSocket> {
  const { hostname, port, pathname, search } = new URL(url);
  const mask = randomBytes(4);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port), localAddress: options.localAddress });
    socket.setNoDelay(true);
    let opened = false;
    let handshake: Buffer | null = null;
    let closeCode: number | null = null;
    const send = (opcode: number, payload: Buffer) => socket.write(clientFrame(opcode, payload, mask));
    const reader = new FrameReader((opcode, payload) => {
      if (opcode === OPCODE.text || opcode === OPCODE.binary) options.onMessage(payload);
      else if (opcode === OPCODE.ping) send(OPCODE.pong, payload);
      else if (opcode === OPCODE.close) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : null;
        socket.end();
      }
    });
    const lean: LeanSocket = {
      send: (text) => send(OPCODE.text, Buffer.from(text)),
      terminate: () => socket.destroy(),
    };
    socket.on('data', (chunk: Buffer) => {
      if (opened) {
        reader.push(chunk);
        return;
      }
      handshake = handshake ? Buffer.concat([handshake, chunk]) : chunk;
      const end = handshake.indexOf(HEADER_END);
      if (end < 0) return;
      const status = handshake.toString('latin1', 0, handshake.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        socket.destroy();
        reject(new Error(`upgrade refused: ${status}`));
        return;
      }
      opened = true;
      const rest = handshake.subarray(end + HEADER_END.length);
      handshake = null;
      resolve(lean);
      if (rest.length > 0) reader.push(rest);
    });
    socket.once('error', (error) => (opened ? socket.destroy() : reject(error)));
    socket.once('close', () => {
      if (!opened) reject(new Error('closed before the upgrade'));
      options.onClose?.(closeCode);
    });
    socket.write(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}
