/** Raw TCP for requests no HTTP client would send: malformed, slow, or never finished. */
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): Buffer;
  /** The status code of the first response, once its status line has arrived. */
  status(): number | null;
  /** Resolves when the server (or an error) closes the connection, with the milliseconds it stayed open. */
  closed: Promise<{ afterMs: number }>;
}

/** Opens a TCP connection to 127.0.0.1:port. */
export function openRaw(port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  const openedAt = Date.now();
  socket.on('data', (chunk) => chunks.push(chunk));
  // A reset (the server destroys a socket with unread input) is a close too.
  socket.on('error', () => {});
  const closed = new Promise<{ afterMs: number }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: Date.now() - openedAt })),
  );
  const received = () => Buffer.concat(chunks);
  const status = () => {
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(received().toString('latin1'));
    return match ? Number(match[1]) : null;
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, received, status, closed }));
    socket.once('error', reject);
  });
}

export interface RawAnswer {
  status: number | null;
  /** The response head (status line and headers), lower-cased header names as sent. */
  head: string;
}

/**
 * Sends `bytes` on a fresh connection and waits for the server to close it:
 * every request here is answered or refused, never left hanging. With
 * `halfClose` the client ends its side at once, as a client that gives up
 * does (the server then drops a request still in progress).
 */
export async function rawHttp(
  port: number,
  bytes: string | Buffer,
  { halfClose = false, timeoutMs = 5000 } = {},
): Promise<RawAnswer> {
  const conn = await openRaw(port);
  if (halfClose) conn.socket.end(bytes);
  else conn.socket.write(bytes);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      conn.socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms for ${JSON.stringify(bytes.toString().slice(0, 200))}`));
    }, timeoutMs);
  });
  try {
    await Promise.race([conn.closed, hung]);
  } finally {
    clearTimeout(timer);
  }
  const text = conn.received().toString('latin1');
  return { status: conn.status(), head: text.split('\r\n\r\n')[0] ?? '' };
}

/** A minimal HTTP/1.1 request, closing the connection after the answer. */
export const request = (method: string, target: string, headers: Record<string, string> = {}) =>
  `${method} ${target} HTTP/1.1\r\n${Object.entries({ host: 'localhost', connection: 'close', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

/** A WebSocket upgrade request by hand (the key is a fixed valid one). */
export const upgradeRequest = (target: string, headers: Record<string, string> = {}) =>
  request('GET', target, {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  });
