import { type StreamState, type Transport, TransportSelector, WS_RETRY_ON_HTTP_MS } from '@hubbub/client/transport';
import { backoffWithJitter } from '@hubbub/core';
import { createStore, type Store } from './store';

/**
 * How the live updates reach this tab: over the WebSocket, or, when a proxy
 * refuses WebSocket upgrades, over Server-Sent Events (one EventSource per
 * subscription, signed in by the session cookie). The selector decides (see
 * @hubbub/client/transport for the rule); this keeps what the badge shows.
 */
export interface LiveTransport {
  selector: TransportSelector;
  /** The transport in use (a store, for React). */
  mode: Store<Transport>;
  /** The SSE subscriptions by state, while on HTTP: the badge's "live" or "reconnecting". */
  streams: Store<{ connecting: number; live: number }>;
  /** For transportLink: each subscription's state as it changes. */
  onStreamState(stream: object, state: StreamState | null, transport: Transport): void;
  /** The WebSocket's retry delay: its usual backoff, or a slow probe while HTTP carries everything. */
  wsRetryDelayMs(attempt: number): number;
  dispose(): void;
}

export function createLiveTransport(deps: { httpAnswers(): Promise<boolean>; memory?: FallbackMemory }): LiveTransport {
  const memory = deps.memory ?? browserMemory();
  const selector = new TransportSelector({
    initial: memory.remembered() ? 'http' : 'ws',
    httpAnswers: deps.httpAnswers,
  });
  const mode = createStore<Transport>(selector.current());
  const streams = createStore({ connecting: 0, live: 0 });
  const states = new Map<object, StreamState>();
  const count = () => {
    let connecting = 0;
    let live = 0;
    for (const state of states.values()) {
      if (state === 'live') live++;
      else connecting++;
    }
    const prev = streams.get();
    if (prev.connecting !== connecting || prev.live !== live) streams.set({ connecting, live });
  };
  const unlisten = selector.subscribe(() => {
    mode.set(selector.current());
    memory.remember(selector.current() === 'http');
  });
  return {
    selector,
    mode,
    streams,
    onStreamState(stream, state, transport) {
      if (state === null || transport !== 'http') states.delete(stream);
      else states.set(stream, state);
      count();
    },
    wsRetryDelayMs: (attempt) =>
      selector.current() === 'http' ? WS_RETRY_ON_HTTP_MS + backoffWithJitter(attempt) : backoffWithJitter(attempt),
    dispose: unlisten,
  };
}

/** Whether this browser fell back lately: a reload (or a new tab) then starts on HTTP instead of failing again. */
export interface FallbackMemory {
  remembered(): boolean;
  remember(onHttp: boolean): void;
}

/**
 * Ten minutes: long enough that reloads skip the WebSocket's failed attempts
 * (WS_FAILURES_BEFORE_HTTP of them), short enough that a laptop carried
 * home does not stay on HTTP. A page that starts on HTTP still tries the
 * WebSocket at once in the background and moves to it when it gets through.
 */
export const REMEMBER_FALLBACK_MS = 10 * 60_000;
const KEY = 'hubbub.httpFallbackAt';

export function browserMemory(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = localStorageOrNull(),
) {
  return {
    remembered(now = Date.now()) {
      const at = Number(storage?.getItem(KEY) ?? Number.NaN);
      return Number.isFinite(at) && now - at < REMEMBER_FALLBACK_MS;
    },
    remember(onHttp: boolean, now = Date.now()) {
      try {
        if (onHttp) storage?.setItem(KEY, String(now));
        else storage?.removeItem(KEY);
      } catch {
        // Storage full or refused (private modes): the fallback then happens again after a reload.
      }
    },
  } satisfies FallbackMemory;
}

function localStorageOrNull(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
