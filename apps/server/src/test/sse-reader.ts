import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { arrivals } from './arrivals';

/** One Server-Sent Event as it came off the wire. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export interface SseReader {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** The tracked events (`message`, each with its id) with their payload parsed. */
  messages(): { id: string; data: { type: string; [key: string]: unknown } }[];
  /** Resolves once `predicate` holds for the events so far; rejects when the stream ends first or after `timeoutMs`. */
  until(predicate: (events: SseEvent[]) => boolean, timeoutMs?: number): Promise<SseEvent[]>;
  /** Stops reading (the socket's buffers fill, then the server's), or starts again. */
  pause(): void;
  resume(): void;
  /** Resolves when the server ended or cut the response. */
  ended: Promise<void>;
  close(): void;
}

/**
 * A bare SSE client over node:http: no EventSource, no reconnects, so a test
 * sees exactly what the server sent and controls when it is read.
 */
export function readSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | null = null;
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const seen = arrivals(events, (all) => `${all.length} events: ${JSON.stringify(all.slice(-3))}`);
      let buffer = '';
      const ended = new Promise<void>((done) => {
        const end = () => {
          seen.ended();
          done();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const event = parseBlock(block);
          if (event) events.push(event);
        }
        seen.arrived();
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        messages: () =>
          events
            .filter((e) => e.event === 'message' && e.id)
            .map((e) => ({ id: e.id as string, data: JSON.parse(e.data) as { type: string } })),
        until: (predicate, timeoutMs = 10_000) => seen.until(predicate, timeoutMs),
        pause: () => res.pause(),
        resume: () => res.resume(),
        ended,
        close: () => req?.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function parseBlock(block: string): SseEvent | null {
  const event: SseEvent = { event: 'message', id: undefined, data: '' };
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    any = true;
    if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') data.push(value);
  }
  event.data = data.join('\n');
  return any ? event : null;
}

/** The URL of a subscription over SSE (tRPC's GET format: the input as JSON in `input`). */
export function sseUrl(base: string, path: string, input: unknown): string {
  return `${base}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
}
