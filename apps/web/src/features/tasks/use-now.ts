import { useSyncExternalStore } from 'react';

/**
 * One shared one-second clock for every ticking duration on screen, so they
 * all move together; it runs only while something that ticks is mounted.
 */
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function tick() {
  now = Date.now();
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    // The value may be old: React rereads it after subscribing and renders again if it moved.
    now = Date.now();
    timer = setInterval(tick, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const still = () => () => {};
const read = () => now;

/** The current time (ms), re-rendering every second while `ticking`; a still value otherwise. */
export function useNow(ticking: boolean): number {
  return useSyncExternalStore(ticking ? subscribe : still, read);
}
