/** Stream positions travel as "<epoch>:<offset>" (tRPC tracked ids). */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

export function formatEventId(epoch: string, offset: number): string {
  return `${epoch}:${offset}`;
}

/** Returns null for anything that is not a well-formed id. */
export function parseEventId(id: string | null | undefined): StreamPosition | null {
  if (!id) return null;
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return null;
  const epoch = id.slice(0, colon);
  const digits = id.slice(colon + 1);
  if (!/^\d{1,15}$/.test(digits)) return null;
  return { epoch, offset: Number(digits) };
}

export type ResumePlan = { kind: 'live' } | { kind: 'replay'; after: number } | { kind: 'reset' };

/**
 * Decides how a subscriber that says it has seen `lastEventId` continues:
 * replay what came after it, or start over (another epoch, a malformed id,
 * an offset from the future, or one older than the retained history).
 */
export function planResume(
  lastEventId: string | null | undefined,
  stream: { epoch: string; head: number; oldestRetained: number },
): ResumePlan {
  if (lastEventId == null) return { kind: 'live' };
  const pos = parseEventId(lastEventId);
  if (!pos || pos.epoch !== stream.epoch || pos.offset > stream.head) return { kind: 'reset' };
  // Offsets after pos.offset must all still be stored.
  if (pos.offset + 1 < stream.oldestRetained) return { kind: 'reset' };
  return { kind: 'replay', after: pos.offset };
}
