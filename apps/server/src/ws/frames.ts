import type { BusEvent } from '@hubbub/core';

/**
 * A tracked data frame is `{"id":<subscription id>` + a tail that is the same
 * for every subscriber of an event. The tail is built once per (event, event
 * id) and shared by all local subscribers: the per-subscriber cost is one
 * string concatenation, not a JSON.stringify of the whole event.
 */
const tails = new WeakMap<BusEvent, Map<string, string>>();

export function trackedTail(eventId: string, data: unknown): string {
  const id = JSON.stringify(eventId);
  return `,"result":{"type":"data","id":${id},"data":{"id":${id},"data":${JSON.stringify(data)}}}}`;
}

export function sharedTrackedTail(shared: BusEvent | null, eventId: string, data: unknown): string {
  if (!shared) return trackedTail(eventId, data);
  let byId = tails.get(shared);
  if (!byId) {
    byId = new Map();
    tails.set(shared, byId);
  }
  let tail = byId.get(eventId);
  if (tail === undefined) {
    tail = trackedTail(eventId, data);
    byId.set(eventId, tail);
  }
  return tail;
}

/** `{"id":<id>` — the head of every response frame for one request id. */
export function frameHead(requestId: number | string): string {
  return `{"id":${JSON.stringify(requestId)}`;
}
