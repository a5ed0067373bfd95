import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { FrameReader, openLeanSocket } from './lean-socket';

let server: Server | null = null;
let wss: WebSocketServer | null = null;

afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  server = wss = null;
});

/** A real `ws` server on loopback; resolves its URL and the server side of the next connection. */
async function wsServer(): Promise<{ url: string; accepted: Promise<ServerSocket> }> {
  server = createServer();
  wss = new WebSocketServer({ server });
  const accepted = new Promise<ServerSocket>((resolve) => wss?.once('connection', resolve));
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?token=t`, accepted };
}

describe('the scale bench lean WebSocket client, against a real ws server', () => {
  it('receives messages of every length form, whole, and sends text the server reads back', async () => {
    const { url, accepted } = await wsServer();
    const received: string[] = [];
    const socket = await openLeanSocket(url, { onMessage: (data) => received.push(data.toString()) });
    const peer = await accepted;
    const fromClient = new Promise<string>((resolve) => peer.once('message', (data) => resolve(String(data))));
    socket.send('subscribe é');
    expect(await fromClient).toBe('subscribe é');

    const sizes = [0, 5, 125, 126, 65_535, 65_536, 200_000];
    for (const size of sizes) peer.send('x'.repeat(size));
    await expect.poll(() => received.length).toBe(sizes.length);
    expect(received.map((text) => text.length)).toEqual(sizes);
    socket.terminate();
  });

  it('joins a fragmented message, answers pings with their payload, and reports the close code', async () => {
    const { url, accepted } = await wsServer();
    const received: string[] = [];
    let closedWith: number | null | undefined;
    const socket = await openLeanSocket(url, {
      onMessage: (data) => received.push(data.toString()),
      onClose: (code) => {
        closedWith = code;
      },
    });
    const peer = await accepted;
    peer.send('first ', { fin: false });
    const pong = new Promise<string>((resolve) => peer.once('pong', (data) => resolve(String(data))));
    peer.ping('are you there');
    peer.send('second', { fin: true });
    expect(await pong).toBe('are you there');
    await expect.poll(() => received).toEqual(['first second']);

    peer.close(4008, 'too slow');
    await expect.poll(() => closedWith).toBe(4008);
    socket.terminate();
  });

  it('rejects with the status line when the upgrade is refused', async () => {
    server = createServer();
    server.on('upgrade', (_request, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n'));
    await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    await expect(openLeanSocket(url, { onMessage: () => {} })).rejects.toThrow('upgrade refused: HTTP/1.1 401');
  });

  it('reads frames whatever the reads cut them into', () => {
    const frames: [number, string][] = [];
    const reader = new FrameReader((opcode, payload) => frames.push([opcode, payload.toString()]));
    const long = 'y'.repeat(300);
    const bytes = Buffer.concat([
      Buffer.from([0x81, 5]),
      Buffer.from('hello'),
      Buffer.from([0x81, 126, 0x01, 0x2c]),
      Buffer.from(long),
      Buffer.from([0x89, 2]),
      Buffer.from('hi'),
    ]);
    for (const byte of bytes) reader.push(Buffer.from([byte]));
    expect(frames).toEqual([
      [0x1, 'hello'],
      [0x1, long],
      [0x9, 'hi'],
    ]);
  });
});
