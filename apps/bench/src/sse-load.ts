import { Agent, type ClientRequest, request } from 'node:http';
import { stampsIn } from './protocols';

const NEWLINE = 10;
const now = () => performance.now();

/**
 * A stream's bytes cut after the last line end: the whole lines to read now, and
 * the unfinished line to keep for the next read (a read may end mid-line when
 * the server's writes outrun the client). Without a carry and with a chunk that
 * ends a line (the usual case) nothing is copied.
 */
export function wholeLines(carry: Buffer | null, chunk: Buffer): { lines: Buffer | null; rest: Buffer | null } {
  const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
  const end = bytes.lastIndexOf(NEWLINE) + 1;
  if (end === 0) return { lines: null, rest: bytes };
  return {
    lines: end === bytes.length ? bytes : bytes.subarray(0, end),
    rest: end === bytes.length ? null : bytes.subarray(end),
  };
}

/**
 * Many Server-Sent Events subscribers in this process over raw HTTP (node:http,
 * no EventSource), recording each delivery's publish→receive latency: the
 * stamp is found in the bytes, nothing is decoded, as the WebSocket pool does.
 * Streams are spread over `tokens` round-robin (a server caps the streams one
 * person may hold).
 */
export class SseSubscriberPool {
  latencies: number[] = [];
  delivered = 0;
  /** Streams the server ended or cut while the pool was open (one that falls behind is cut, to resume later). */
  ended = 0;
  private readonly requests: ClientRequest[] = [];
  private readonly agent: Agent;
  private closing = false;
  private opened = 0;

  constructor(
    private readonly url: string,
    private readonly tokens: readonly string[],
    streams: number,
  ) {
    // One socket per stream, none queued behind another.
    this.agent = new Agent({ keepAlive: true, maxSockets: streams });
  }

  /** Opens `count` streams, `batch` at a time, and resolves once each has its greeting (the first event). */
  async connect(count: number, batch = 50): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => this.connectOne()));
    }
  }

  private connectOne(): Promise<void> {
    const token = this.tokens[this.opened++ % this.tokens.length] as string;
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        { agent: this.agent, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            return reject(new Error(`SSE subscription answered ${res.statusCode}`));
          }
          let subscribed = false;
          let carry: Buffer | null = null;
          res.on('data', (chunk: Buffer) => {
            // The hot path of the load client: whole lines, then the stamps in their bytes.
            const { lines, rest } = wholeLines(carry, chunk);
            carry = rest;
            if (!lines) return;
            for (const ts of stampsIn(lines)) {
              this.delivered++;
              this.latencies.push(now() - ts);
            }
            if (subscribed) return;
            if (lines.includes('"presence"')) {
              subscribed = true;
              resolve();
            } else if (lines.includes('serialized-error')) {
              reject(new Error(`SSE subscription refused: ${lines.toString()}`));
            }
          });
          // A stream the server cuts ends in an 'aborted' error: it is counted on 'close'.
          res.on('error', () => {});
          res.on('close', () => {
            if (!this.closing) this.ended++;
            if (!subscribed) reject(new Error('the SSE stream ended before its greeting'));
          });
        },
      );
      req.on('error', (error) => {
        if (!this.closing) reject(error);
      });
      req.end();
      this.requests.push(req);
    });
  }

  reset(): void {
    this.latencies = [];
    this.delivered = 0;
  }

  close(): void {
    this.closing = true;
    for (const req of this.requests) req.destroy();
    this.agent.destroy();
  }
}
