import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { frameTarget, sendTextParts } from './frames';

describe('sendTextParts', () => {
  let server: WebSocketServer | null = null;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = null;
  });

  /** Sends each [head, tail] through sendTextParts and returns what a real ws client read. */
  const roundTrip = async (parts: [string, string][], options: { perMessageDeflate?: boolean } = {}) => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: options.perMessageDeflate ?? false });
    server.on('connection', (ws) => {
      for (const [head, tail] of parts) sendTextParts(frameTarget(ws), Buffer.from(head), Buffer.from(tail));
    });
    await new Promise((resolve) => server?.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: options.perMessageDeflate ?? false });
    const received: { text: string; binary: boolean }[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data: Buffer, binary) => {
        received.push({ text: data.toString(), binary });
        if (received.length === parts.length) resolve();
      });
      client.on('error', reject);
    });
    client.close();
    return received;
  };

  it('arrives as one text frame per call: small tails copied, large ones shared, every header length (7, 16, 64 bits)', async () => {
    const parts: [string, string][] = [
      ['{"id":1', ',"x":"é"}'],
      ['{"id":2', `,"x":"${'a'.repeat(300)}"}`],
      ['{"id":3', `,"x":"${'b'.repeat(2_500)}"}`],
      ['{"id":4', `,"x":"${'d'.repeat(70_000)}"}`],
      ['', ''],
    ];
    const received = await roundTrip(parts);
    expect(received).toEqual(parts.map(([head, tail]) => ({ text: head + tail, binary: false })));
  });

  it('arrives intact when compression is negotiated (ws.send then frames it)', async () => {
    const parts: [string, string][] = [['{"id":1', `,"x":"${'c'.repeat(2_000)}"}`]];
    const received = await roundTrip(parts, { perMessageDeflate: true });
    expect(received).toEqual([{ text: parts[0]?.join(''), binary: false }]);
  });
});
