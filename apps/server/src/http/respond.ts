import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * A bare HTTP answer on a socket that has no ServerResponse (a refused upgrade,
 * a request the parser rejected), then the socket is closed even if the peer
 * never closes its side (the HTTP server keeps sockets half-open).
 */
export function rawReply(socket: Duplex, status: string, headers: Record<string, string> = {}): void {
  const lines = Object.entries({ ...headers, connection: 'close', 'content-length': '0' }).map(
    ([k, v]) => `${k}: ${v}`,
  );
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status}\r\n${lines.join('\r\n')}\r\n\r\n`, () => socket.destroy());
}
