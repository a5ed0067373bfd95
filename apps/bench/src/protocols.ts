import WebSocket from 'ws';
import type { ServerKind } from './server-process';

/** What a load client needs to speak to one kind of server. */
export interface Protocol {
  /** One-time setup against a running server (accounts, channel). */
  setup(port: number): Promise<Session>;
}

export interface Session {
  subscriberUrl: string;
  /** Frames a subscriber sends once open. */
  subscribeFrames: string[];
  /** True for the frame that confirms the subscription; absent when subscribing needs no answer. */
  isSubscribed?(frame: string): boolean;
  /** Frames a client sends in answer to `frame` (Socket.IO pings and namespace handshake). */
  respond?(frame: string, role: 'subscriber' | 'publisher'): string[];
  publisherUrl: string;
  publisherOpenFrames: string[];
  /** The frame that publishes message number `n` stamped with `ts`. */
  publishFrame(n: number, ts: number, body: string): string;
  /**
   * A publisher whose messages reach no subscriber (Hubbub: a channel nobody follows; the raw servers: a
   * connection that is not the publisher's), for `--warm-up`: it takes the server's per-message path past its
   * JIT warm-up without a fan-out. Absent where the protocol has no such place.
   */
  warmUp?: Publisher;
  /** The protocol's own name for the channel (for the report). */
  label: string;
  token?: string;
  channelId?: string;
}

/** The part of a session that publishes (load.ts's publish). */
export type Publisher = Pick<Session, 'publisherUrl' | 'publisherOpenFrames' | 'publishFrame' | 'respond'>;

const MARKERS = [Buffer.from('ts='), Buffer.from('"ts":')];
const STAMP = MARKERS[0] as Buffer;

/** Where the number (digits and dots) starting at `start` ends. */
function numberEnd(bytes: Buffer, start: number): number {
  let end = start;
  while (
    end < bytes.length &&
    ((bytes[end] as number) === 46 || ((bytes[end] as number) >= 48 && (bytes[end] as number) <= 57))
  )
    end++;
  return end;
}

/** The publish timestamp in a delivered frame (`ts=` or `"ts":`), or null: a native search, then a tiny decode (the load client must stay cheap). */
export function stampIn(frame: Buffer): number | null {
  for (const marker of MARKERS) {
    const at = frame.indexOf(marker);
    if (at < 0) continue;
    const start = at + marker.length;
    return Number(frame.toString('latin1', start, numberEnd(frame, start)));
  }
  return null;
}

/** Every `ts=` stamp in `bytes`, in order: one read of a Server-Sent Events stream may hold several events. */
export function stampsIn(bytes: Buffer): number[] {
  const stamps: number[] = [];
  for (let at = bytes.indexOf(STAMP); at >= 0; at = bytes.indexOf(STAMP, at)) {
    const start = at + STAMP.length;
    at = numberEnd(bytes, start);
    stamps.push(Number(bytes.toString('latin1', start, at)));
  }
  return stamps;
}

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!json.result) throw new Error(`${url}: ${JSON.stringify(json.error)}`);
  return json.result.data;
}

/** Signs a bench user up on a Hubbub and returns its token. */
export async function signUp(port: number, handle: string): Promise<string> {
  const { token } = await post<{ token: string }>(`http://127.0.0.1:${port}/trpc/auth.signup`, {
    handle,
    password: 'bench-password',
  });
  return token;
}

/** Creates a channel with a fresh slug on the Hubbub at `base`; returns its id. */
async function createChannel(base: string, token: string, name: string): Promise<string> {
  const slug = `bench-${Math.random().toString(36).slice(2, 8)}`;
  return (await post<{ id: string }>(`${base}/trpc/channel.create`, { slug, name }, token)).id;
}

/** Signs a bench user up on a Hubbub and creates a fresh channel for the run. */
export async function hubbubAccount(port: number, handle = `bench${Date.now() % 1e9}`) {
  const base = `http://127.0.0.1:${port}`;
  const token = await signUp(port, handle);
  return { token, channelId: await createChannel(base, token, 'Bench'), base };
}

/** Hubbub's `message.send` of `content` to `channelId`, as call number `n` of its connection. */
const sendFrame = (n: number, channelId: string, content: string) =>
  JSON.stringify({ id: n + 10, method: 'mutation', params: { path: 'message.send', input: { channelId, content } } });

/** The tRPC generator router of servers/generator-router.ts, on either adapter. */
const generatorProtocol = (label: string): Protocol => ({
  async setup(port) {
    return {
      label,
      subscriberUrl: `ws://127.0.0.1:${port}/`,
      subscribeFrames: [JSON.stringify({ id: 1, method: 'subscription', params: { path: 'onMessage', input: null } })],
      isSubscribed: (frame) => frame.includes('"started"'),
      publisherUrl: `ws://127.0.0.1:${port}/`,
      publisherOpenFrames: [],
      publishFrame: (n, ts, body) =>
        JSON.stringify({ id: n + 10, method: 'mutation', params: { path: 'send', input: { ts, body } } }),
    };
  },
});

/** Both raw ws servers: the publisher's frame is what every subscriber gets. */
const rawProtocol = (label: string): Protocol => ({
  async setup(port) {
    const url = `ws://127.0.0.1:${port}/`;
    const publishFrame: Session['publishFrame'] = (_n, ts, body) => JSON.stringify({ ts, body });
    return {
      label,
      subscriberUrl: url,
      subscribeFrames: [],
      publisherUrl: `${url}?publisher`,
      publisherOpenFrames: [],
      publishFrame,
      warmUp: { publisherUrl: url, publisherOpenFrames: [], publishFrame },
    };
  },
});

export const protocols: Record<ServerKind, Protocol> = {
  'raw-ws-floor': rawProtocol('raw ws floor: each frame built once, the same bytes written to every socket'),
  'raw-ws': rawProtocol('raw ws broadcast'),
  'stock-trpc': generatorProtocol('tRPC generator (tracked, events.on) on the stock applyWSSHandler'),
  'trpc-ws': generatorProtocol('tRPC generator (tracked, events.on) on applyWSSHandler from @hubbub/trpc-ws'),
  socketio: {
    async setup(port) {
      const url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
      return {
        label: 'Socket.IO rooms (websocket transport)',
        subscriberUrl: url,
        // Engine.IO open → connect the default namespace → (once connected) join the room, with an ack id.
        subscribeFrames: ['40'],
        isSubscribed: (frame) => frame.startsWith('431'),
        respond: (frame, role) => {
          if (frame === '2') return ['3'];
          if (frame.startsWith('40{') && role === 'subscriber') return ['421["join","bench"]'];
          return [];
        },
        publisherUrl: url,
        publisherOpenFrames: ['40'],
        publishFrame: (_n, ts, body) => `42${JSON.stringify(['publish', 'bench', { ts, body }])}`,
      };
    },
  },
  hubbub: {
    async setup(port) {
      const { token, channelId, base } = await hubbubAccount(port);
      const quietChannel = await createChannel(base, token, 'Warm-up');
      const url = `ws://127.0.0.1:${port}/ws?token=${token}`;
      return {
        label: 'Hubbub (channel.onEvent + message.send)',
        token,
        channelId,
        subscriberUrl: url,
        subscribeFrames: [
          JSON.stringify({ id: 1, method: 'subscription', params: { path: 'channel.onEvent', input: { channelId } } }),
        ],
        isSubscribed: (frame) => frame.includes('"presence"'),
        publisherUrl: url,
        publisherOpenFrames: [],
        publishFrame: (n, ts, body) => sendFrame(n, channelId, `ts=${ts} ${body}`),
        warmUp: {
          publisherUrl: url,
          publisherOpenFrames: [],
          publishFrame: (n, ts, body) => sendFrame(n, quietChannel, `ts=${ts} ${body}`),
        },
      };
    },
  },
};

/** Opens a WebSocket and resolves once it is open. */
export function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
