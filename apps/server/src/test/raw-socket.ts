import WebSocket from 'ws';

export interface RawSocket {
  ws: WebSocket;
  /** Parsed JSON frames received so far (PING/PONG excluded). */
  frames: Array<Record<string, unknown>>;
  /** Resolves with the first frame matching, waiting up to `timeoutMs`. */
  frame(match: (frame: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare WebSocket speaking the tRPC wire protocol by hand, for frames the real client never sends. */
export function rawSocket(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(url, { headers });
  const frames: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    const text = data.toString();
    if (text === 'PING' || text === 'PONG') return;
    frames.push(JSON.parse(text) as Record<string, unknown>);
    for (const l of listeners) l();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const frame = (match: (f: Record<string, unknown>) => boolean, timeoutMs = 5000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = frames.find(match);
        if (found) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no matching frame; got ${JSON.stringify(frames)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, frame, closed }));
    ws.once('error', reject);
  });
}

/** The error frame's tRPC code name (e.g. 'UNAUTHORIZED'), if the frame is an error. */
export const errorCode = (frame: Record<string, unknown>): string | undefined =>
  (frame.error as { data?: { code?: string } } | undefined)?.data?.code;
