/** What pulling an async generator or an observable over a socket needs: stop waiting on abort, wait for the socket to drain. */
import { isObservable, observableToAsyncIterable } from '@trpc/server/observable';
import { WebSocket } from 'ws';

export const ABORTED = Symbol('aborted');

/** The iterator's next value, or ABORTED as soon as `signal` aborts (a generator may wait forever). */
export function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<IteratorResult<T> | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    // A listener per value, removed again: a long-lived race would keep every earlier promise alive.
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function toAsyncIterable(result: unknown, signal: AbortSignal): AsyncIterable<unknown> {
  return isObservable(result) ? observableToAsyncIterable(result, signal) : (result as AsyncIterable<unknown>);
}

interface WsInternals {
  _socket?: NodeJS.EventEmitter;
}

/** Resolves once the socket's backlog is under `lowWater` bytes (or the subscription ends). */
export function drained(ws: WebSocket, lowWater: number, signal: AbortSignal): Promise<void> {
  const socket = (ws as unknown as WsInternals)._socket;
  if (!socket || ws.bufferedAmount <= lowWater || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (ws.bufferedAmount > lowWater && !signal.aborted && ws.readyState === WebSocket.OPEN) return;
      socket.off('drain', check);
      signal.removeEventListener('abort', check);
      ws.off('close', check);
      resolve();
    };
    socket.on('drain', check);
    signal.addEventListener('abort', check);
    ws.on('close', check);
  });
}
