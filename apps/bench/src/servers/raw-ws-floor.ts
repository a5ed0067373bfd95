import './gc-on-signal';
/**
 * The floor: a raw `ws` broadcast that builds each WebSocket frame (header + payload) once, as one buffer, and writes
 * that same buffer to every subscriber's TCP socket: one socket write per delivery and nothing else.
 */
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** An unmasked, final text frame carrying `payload` (RFC 6455 §5.2), in one buffer. */
function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (headerLength === 2) frame[1] = length;
  else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/** The socket under a ws connection (ws keeps it private; the floor writes to it straight). */
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  if (!req.url?.includes('publisher')) return;
  ws.on('message', (data: Buffer) => {
    const frame = textFrame(data);
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) socketOf(client).write(frame);
    }
  });
});
wss.on('listening', () => {
  const address = wss.address();
  console.log(`READY ${typeof address === 'object' && address ? address.port : 0}`);
});
