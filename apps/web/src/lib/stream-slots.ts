import type { AppRouter } from '@hubbub/api';
import { movableSubscription } from '@hubbub/client/transport';
import type { Operation, OperationLink, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';

/**
 * Over HTTP/1.1 a browser opens at most 6 connections to a host, for all its
 * tabs together, and every EventSource holds one for as long as it is open.
 * With one stream per followed channel, a few channels would take them all
 * and leave no connection for calls: nothing could be sent any more. So on
 * HTTP/1.1 only a few streams are open at a time, what is on screen first;
 * the others wait, and resume from their last event id when they get a slot.
 * Over HTTP/2 and 3 streams share one connection, and there is no such limit.
 */
export const HTTP1_OPEN_STREAMS = 4;
const UNLIMITED = 1_000;

/** How many EventSources this page may hold open, from the protocol the page itself came over. */
export function openStreamsFor(protocol: string | undefined): number {
  return protocol === 'h2' || protocol === 'h3' ? UNLIMITED : HTTP1_OPEN_STREAMS;
}

export interface Wanted {
  /** Higher first (what is on screen). */
  priority: number;
  /** When it was asked for: among equals, the first keeps its slot (no churn). */
  since: number;
}

/** The ones that get a slot: by priority, then first come. Pure. */
export function chooseOpen<T extends Wanted>(wanted: Iterable<T>, max: number): Set<T> {
  const sorted = [...wanted].sort((a, b) => b.priority - a.priority || a.since - b.since);
  return new Set(sorted.slice(0, max));
}

export interface StreamSlotsOptions {
  max: number;
  /** A subscription's priority now (e.g. 1 for the channel on screen, 0 for the rest). */
  priority(op: Operation): number;
  /** Calls back when priorities may have changed (the page moved); the caller's source ends with its clients. */
  onPriorityChange(listener: () => void): void;
}

/** Wraps the SSE subscription link: at most `max` subscriptions open at once, the others wait (state 'connecting'). */
export function streamSlotsLink(link: TRPCLink<AppRouter>, options: StreamSlotsOptions): TRPCLink<AppRouter> {
  return (runtime) => {
    const inner = link(runtime) as OperationLink<AppRouter>;
    type Entry = Wanted & { op: Operation; sub: ReturnType<typeof movableSubscription>; open: boolean };
    const entries = new Set<Entry>();
    let counter = 0;
    const replan = () => {
      for (const entry of entries) entry.priority = options.priority(entry.op);
      const chosen = chooseOpen(entries, options.max);
      for (const entry of entries) {
        if (entry.open && !chosen.has(entry)) {
          entry.open = false;
          entry.sub.stop();
        }
      }
      for (const entry of chosen) {
        if (entry.open) continue;
        entry.open = true;
        entry.sub.start(inner as never);
      }
    };
    options.onPriorityChange(replan);
    return ({ op }) =>
      observable((observer) => {
        // A waiting subscription says it is connecting, like one whose stream is reconnecting.
        observer.next({ result: { type: 'state', state: 'connecting', error: null } });
        const entry: Entry = {
          op,
          priority: options.priority(op),
          since: counter++,
          open: false,
          sub: movableSubscription(op, observer as never),
        };
        entries.add(entry);
        replan();
        return () => {
          entries.delete(entry);
          entry.sub.stop();
          replan();
        };
      });
  };
}
