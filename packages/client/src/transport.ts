import {
  type Operation,
  type OperationLink,
  type OperationResultEnvelope,
  TRPCClientError,
  type TRPCLink,
} from '@trpc/client';
import { type Observer, observable, type Unsubscribable } from '@trpc/server/observable';
import type { AnyRouter } from '@trpc/server/unstable-core-do-not-import';

/**
 * Choosing between the WebSocket and plain HTTP (calls over fetch,
 * subscriptions over Server-Sent Events), for browsers and Node alike: no
 * imports beyond tRPC, so the web app bundles this very file.
 */
export type Transport = 'ws' | 'http';

/**
 * WebSocket attempts in a row that never heard from the server before HTTP
 * is tried. One failure is a blip and two a restart in progress; a proxy that
 * refuses upgrades fails every time, within a second or so of backoff (the
 * first three retries wait 0.5, 1 and 2 s at most), so three tell them apart
 * without keeping anyone waiting long.
 */
export const WS_FAILURES_BEFORE_HTTP = 3;
/**
 * A WebSocket that has worked on this page or process must also have been
 * failing this long: a restarting server or a dropped network comes back
 * sooner, and the socket is the better transport to wait for.
 */
export const WS_FAILING_MS_BEFORE_HTTP = 30_000;

/** While on HTTP the WebSocket is still tried, about this often; the first socket that gets through brings it back. */
export const WS_RETRY_ON_HTTP_MS = 60_000;

export interface WsHealth {
  /** Attempts in a row that closed before the server said anything. */
  failures: number;
  /** When the first of them began (ms), or null. */
  failingSince: number | null;
  /** Whether a socket has ever heard from the server here. */
  everWorked: boolean;
}

/**
 * - `keep-trying`: stay on (or keep retrying) the WebSocket;
 * - `try-http`: the WebSocket is failing the way a blocked one does: if HTTP answers, fall back.
 */
export type WsVerdict = 'keep-trying' | 'try-http';

export function judgeWebSocket(health: WsHealth, now: number): WsVerdict {
  if (health.failures < WS_FAILURES_BEFORE_HTTP) return 'keep-trying';
  if (!health.everWorked) return 'try-http';
  return health.failingSince !== null && now - health.failingSince >= WS_FAILING_MS_BEFORE_HTTP
    ? 'try-http'
    : 'keep-trying';
}

export interface TransportSelectorOptions {
  initial: Transport;
  /** Whether the server answers plain HTTP right now (then it is the WebSocket that is blocked). */
  httpAnswers(): Promise<boolean>;
  now?: () => number;
}

/**
 * The transport in use now. It starts where it is told; it falls back to
 * HTTP when the WebSocket fails as `judgeWebSocket` says and HTTP answers, and
 * comes back to the WebSocket as soon as a socket (which keeps retrying, more
 * slowly, in the background) hears from the server again.
 */
export class TransportSelector {
  private mode: Transport;
  private readonly listeners = new Set<() => void>();
  private health: WsHealth = { failures: 0, failingSince: null, everWorked: false };
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: TransportSelectorOptions) {
    this.mode = options.initial;
    this.now = options.now ?? Date.now;
  }

  current(): Transport {
    return this.mode;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A WebSocket heard from the server: the socket path works. */
  wsHeard(): void {
    this.health = { failures: 0, failingSince: null, everWorked: true };
    this.set('ws');
  }

  /** A WebSocket closed before the server said anything (refused, or accepted and dropped by a proxy). */
  wsFailed(): void {
    const { health } = this;
    this.health = { ...health, failures: health.failures + 1, failingSince: health.failingSince ?? this.now() };
    if (this.mode === 'http' || this.probing || judgeWebSocket(this.health, this.now()) !== 'try-http') return;
    this.probing = true;
    this.options
      .httpAnswers()
      .catch(() => false)
      .then((answers) => {
        this.probing = false;
        // Still failing (a socket may have got through meanwhile) and HTTP works: the socket is what is blocked.
        if (answers && this.health.failures >= WS_FAILURES_BEFORE_HTTP) this.set('http');
      });
  }

  private set(mode: Transport): void {
    if (mode === this.mode) return;
    this.mode = mode;
    for (const listener of this.listeners) listener();
  }
}

type WebSocketClass = typeof globalThis.WebSocket;

/**
 * The WebSocket class the tRPC client opens, reporting to `selector` whether
 * each socket heard from the server before it closed. Hearing, not opening,
 * is the test: some proxies accept an upgrade and then drop every frame.
 */
export function observedWebSocket(Base: WebSocketClass, selector: TransportSelector): WebSocketClass {
  const Observed = class extends (Base as new (...args: unknown[]) => WebSocket) {
    constructor(...args: unknown[]) {
      super(...args);
      let heard = false;
      this.addEventListener('message', () => {
        if (heard) return;
        heard = true;
        selector.wsHeard();
      });
      this.addEventListener('close', () => {
        if (!heard) selector.wsFailed();
      });
    }
  };
  return Observed as unknown as WebSocketClass;
}

/** What a subscription is doing, for a status display. */
export type StreamState = 'connecting' | 'live';

export interface TransportLinkOptions<TRouter extends AnyRouter> {
  selector: Pick<TransportSelector, 'current' | 'subscribe'>;
  /** The links of each transport, for calls (queries, mutations) and for subscriptions. */
  links: Record<Transport, { calls: TRPCLink<TRouter>; subscriptions: TRPCLink<TRouter> }>;
  /** Each subscription's state as it changes (null: it ended), with the transport it runs on. */
  onStreamState?(stream: object, state: StreamState | null, transport: Transport): void;
}

type Envelope = OperationResultEnvelope<unknown, TRPCClientError<AnyRouter>>;

/**
 * One subscription that can be stopped on one link and started on another (or
 * the same one later), resuming from the last event id it delivered: the
 * server replays what it missed, exactly once. Its subscriber sees a
 * reconnect, nothing more.
 */
export function movableSubscription(
  op: Operation,
  observer: Observer<Envelope, TRPCClientError<AnyRouter>>,
  onState?: (state: StreamState | null) => void,
) {
  let lastEventId: string | undefined;
  let current: Unsubscribable | null = null;
  let generation = 0;
  return {
    start(link: OperationLink<AnyRouter>): void {
      const mine = ++generation;
      const input =
        lastEventId !== undefined && typeof op.input === 'object' && op.input !== null
          ? { ...op.input, lastEventId }
          : op.input;
      onState?.('connecting');
      const noNext = () => {
        throw new Error('a subscription link must be the last link');
      };
      current = link({ op: { ...op, input }, next: noNext }).subscribe({
        next(envelope) {
          if (mine !== generation) return;
          const { result } = envelope;
          if ('id' in result && typeof result.id === 'string') lastEventId = result.id;
          if (result.type === 'started') onState?.('live');
          if (result.type === 'state') onState?.(result.state === 'pending' ? 'live' : 'connecting');
          observer.next(envelope);
        },
        error(error) {
          if (mine !== generation) return;
          onState?.(null);
          observer.error(error);
        },
        complete() {
          if (mine !== generation) return;
          onState?.(null);
          observer.complete();
        },
      });
    },
    /** Stops it here, quietly (the old link's teardown is not the subscriber's end). */
    stop(): void {
      generation++;
      const previous = current;
      current = null;
      previous?.unsubscribe();
    },
  };
}

/**
 * Sends each call over the transport in use when it is made, and keeps each
 * subscription on the transport in use: when it changes, the subscription
 * moves (movableSubscription).
 */
export function transportLink<TRouter extends AnyRouter>(opts: TransportLinkOptions<TRouter>): TRPCLink<TRouter> {
  return (runtime) => {
    const links = {
      ws: { calls: opts.links.ws.calls(runtime), subscriptions: opts.links.ws.subscriptions(runtime) },
      http: { calls: opts.links.http.calls(runtime), subscriptions: opts.links.http.subscriptions(runtime) },
    };
    const noNext = () => {
      throw new Error('transportLink must be the last link');
    };
    return ({ op }) => {
      if (op.type !== 'subscription') return links[opts.selector.current()].calls({ op, next: noNext });
      return observable((observer) => {
        const stream = {};
        let transport: Transport = opts.selector.current();
        const subscription = movableSubscription(
          op,
          observer as Observer<Envelope, TRPCClientError<AnyRouter>>,
          (state) => opts.onStreamState?.(stream, state, transport),
        );
        subscription.start(links[transport].subscriptions as OperationLink<AnyRouter>);
        const unlisten = opts.selector.subscribe(() => {
          if (opts.selector.current() === transport) return;
          subscription.stop();
          transport = opts.selector.current();
          subscription.start(links[transport].subscriptions as OperationLink<AnyRouter>);
        });
        return () => {
          unlisten();
          subscription.stop();
          opts.onStreamState?.(stream, null, transport);
        };
      });
    };
  };
}

/**
 * A subscription the server ended with UNAUTHORIZED (over SSE: its
 * credentials ended, or were refused at the start) reports the reason, as a
 * WebSocket's close 4401 does; the subscriber gets the error as well.
 */
export function refusalLink<TRouter extends AnyRouter>(
  link: TRPCLink<TRouter>,
  refused: (reason: string) => void,
): TRPCLink<TRouter> {
  return (runtime) => {
    const operation = link(runtime);
    return (props) =>
      observable((observer) =>
        operation(props).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) => {
            observer.error(error);
            if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') refused(error.message);
          },
        }),
      );
  };
}
