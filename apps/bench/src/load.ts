import type WebSocket from 'ws';
import { open, type Publisher, type Session, stampIn } from './protocols';

const now = () => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Many subscribers in this process, recording each delivery's publish→receive latency. */
export class SubscriberPool {
  readonly sockets: WebSocket[] = [];
  latencies: number[] = [];
  delivered = 0;

  constructor(private readonly session: Session) {}

  /** Connects `count` subscribers, `batch` at a time, and resolves once all are subscribed. */
  async connect(count: number, batch = 50): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => this.connectOne()));
    }
  }

  private async connectOne(): Promise<WebSocket> {
    const ws = await open(this.session.subscriberUrl);
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        // The hot path of the load client: find the stamp in the bytes, decode nothing else.
        const ts = stampIn(data);
        if (ts !== null) {
          this.delivered++;
          this.latencies.push(now() - ts);
          return;
        }
        const frame = data.toString();
        for (const reply of this.session.respond?.(frame, 'subscriber') ?? []) ws.send(reply);
        if (this.session.isSubscribed?.(frame)) resolve();
      });
      if (!this.session.isSubscribed) resolve();
    });
    for (const frame of this.session.subscribeFrames) ws.send(frame);
    await subscribed;
    this.sockets.push(ws);
    return ws;
  }

  reset(): void {
    this.latencies = [];
    this.delivered = 0;
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
  }
}

/**
 * One publisher sending `count` messages at `perSecond`, stamped with the send time. It closes once `until`
 * resolves (default: 50 ms after the last send): pass the wait for the deliveries, because a server that
 * reads a few calls of a connection at a time (Hubbub's adapter: 16 in flight) drops the ones it has not
 * read yet when the connection closes, and a loaded server would lose messages to the bench, not to itself.
 */
export async function publish(
  session: Publisher,
  count: number,
  perSecond: number,
  body: string,
  until: () => Promise<unknown> = () => sleep(50),
): Promise<void> {
  const ws = await open(session.publisherUrl);
  ws.on('message', (data: Buffer) => {
    for (const reply of session.respond?.(data.toString(), 'publisher') ?? []) ws.send(reply);
  });
  for (const frame of session.publisherOpenFrames) ws.send(frame);
  await sleep(100);
  const start = now();
  for (let i = 0; i < count; i++) {
    await sleep(start + (i * 1000) / perSecond - now());
    ws.send(session.publishFrame(i, now(), body));
  }
  await until();
  ws.close();
}

/** Resolves when `done()` holds, or after `timeoutMs`. */
export async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = now() + timeoutMs;
  while (!done()) {
    if (now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Resolves when `count()` reaches `target`, or once it has not moved for `stallMs` (the rest is not coming), or after `timeoutMs`. */
export async function waitForCount(
  count: () => number,
  target: number,
  { stallMs, timeoutMs }: { stallMs: number; timeoutMs: number },
): Promise<boolean> {
  const end = now() + timeoutMs;
  let last = count();
  let movedAt = now();
  while (count() < target) {
    if (count() !== last) {
      last = count();
      movedAt = now();
    }
    if (now() - movedAt > stallMs || now() > end) return false;
    await sleep(20);
  }
  return true;
}
