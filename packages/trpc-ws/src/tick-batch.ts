import type { Socket } from 'node:net';

/**
 * Frames a connection writes in one tick leave in one socket write: its socket
 * is corked from the second write of a tick (or the first, when more are
 * expected, e.g. a resume's replay page) and uncorked on the next tick, as Node's
 * HTTP does. A live fan-out writes once per connection per tick and pays for
 * no cork: the tick only counts. Bytes held back by the cork are not a slow
 * reader's backlog: a judge of backlogs flushes them first (flushCorked).
 */

/** Ticks with writes so far; advanced (and every corked socket uncorked) on the next tick after a write. */
let tick = 0;
let tickEndScheduled = false;
let corked: Socket[] = [];

function endTick(): void {
  tick++;
  tickEndScheduled = false;
  const sockets = corked;
  corked = [];
  for (const socket of sockets) socket.uncork();
}

/**
 * One connection's writes in ticks. The adapter's Connection keeps these two numbers in its own fields, so a
 * delivery reaches one object fewer (at thousands of subscribers each is a likely cache miss).
 */
export interface TickWrites {
  /** The tick of the connection's last write (-1: none yet). */
  lastWriteTick: number;
  /** The tick in which its socket was last corked (-1: never). */
  corkedTick: number;
}

/** Call before writing to `socket`: corks it if this is its second write of the tick, or if `more` are coming. */
export function beforeWrite(writes: TickWrites, socket: Socket, more: boolean): void {
  if (corksThisWrite(writes, more)) corkForTick(socket);
}

/**
 * Counts a write in `writes` and says whether it must cork its socket(s): the first write of a tick that is its
 * second (or that has `more` coming), once per tick. A Broadcast asks it for all its members' sockets at once.
 */
export function corksThisWrite(writes: TickWrites, more: boolean): boolean {
  const now = writeTick();
  const cork = writes.corkedTick !== now && (more || writes.lastWriteTick === now);
  if (cork) writes.corkedTick = now;
  writes.lastWriteTick = now;
  return cork;
}

/** The tick a write made now belongs to (its end is scheduled: the next write is in the next tick). */
function writeTick(): number {
  if (!tickEndScheduled) {
    tickEndScheduled = true;
    process.nextTick(endTick);
  }
  return tick;
}

/** Corks `socket` until the tick ends (each cork is uncorked once: Node counts them). */
export function corkForTick(socket: Socket): void {
  socket.cork();
  corked.push(socket);
}

/**
 * Offers `socket`'s frames held back by this tick's corks to the kernel now; says whether there were any. A backlog
 * past its limit is judged after this: a burst of one tick's frames (a batch of events, a replay page) is not yet
 * a slow reader's backlog. Every cork standing between writes is a tick's (a connection's and a Broadcast's may
 * both hold one); the tick's end then has nothing left to uncork (Node ignores the extra uncorks).
 */
export function flushCorked(socket: Socket): boolean {
  if (socket.writableCorked === 0) return false;
  while (socket.writableCorked > 0) socket.uncork();
  return true;
}

/** Whether `socket` holds more than `limit` bytes its reader has not taken (this tick's corked frames flushed first). */
export function pastLimit(socket: Socket, limit: number): boolean {
  return socket.writableLength > limit && (!flushCorked(socket) || socket.writableLength > limit);
}
