import { ReplySlots } from './reply-slots';
import { SerialQueue } from './serial-queue';

/** What the line keeps on each reply. */
export interface InLine {
  /** Holds a model slot: generating, or about to. */
  started: boolean;
  /** Called when a waiting reply gets its slot. */
  wake: (() => void) | null;
  /** The place stored with the reply's message (null: none is). */
  storedPosition: number | null;
  /** Set once it is stopped: its own final update clears the place. */
  stop: unknown;
}

export interface ReplyLineOptions<T> {
  maxConcurrent: number;
  maxQueue: number;
  /** Stores `reply`'s place (null: none) with its message and tells subscribers; never throws. */
  storePosition(reply: T, position: number | null): Promise<void>;
}

/**
 * The replies generating on this instance and the line of those waiting for
 * a model slot, with each waiting reply's place stored with its message as
 * the line moves, so a client that reconnects reads the right place.
 * Stored places change one pass at a time: an older place never lands after a newer one.
 */
export class ReplyLine<T extends InLine> {
  private readonly slots: ReplySlots<T>;
  private readonly edits = new SerialQueue();
  /** Replies whose message exists: only they have a place to store. */
  private readonly shown = new Set<T>();
  /** A renumbering pass scheduled and not yet begun (later changes join it). */
  private pendingPass: Promise<void> | null = null;

  constructor(private readonly options: ReplyLineOptions<T>) {
    this.slots = new ReplySlots(options.maxConcurrent, options.maxQueue);
  }

  get running(): number {
    return this.slots.runningCount;
  }

  get waiting(): number {
    return this.slots.waitingCount;
  }

  /** Takes a model slot, or a place at the end of the line; false when the line is full. */
  join(reply: T): boolean {
    const admission = this.slots.admit(reply);
    reply.started = admission === 'start';
    return admission !== 'full';
  }

  /** 1 for the next in line; null once it holds a slot (or left). */
  position(reply: T): number | null {
    return this.slots.position(reply);
  }

  /** `reply`'s message now exists (with `storedPosition`): its place is kept right from here on. */
  show(reply: T): void {
    this.shown.add(reply);
    // The line may have moved while the message was being stored.
    if (!reply.started) void this.renumber();
  }

  /** `reply` is done, or gave up waiting: the next in line start, and the places behind it move up. */
  leave(reply: T): void {
    const wasWaiting = this.slots.position(reply) !== null;
    const started = this.slots.release(reply);
    for (const next of started) {
      next.started = true;
      next.wake?.();
    }
    this.shown.delete(reply);
    if (wasWaiting || started.length > 0) void this.renumber();
  }

  /**
   * Resolves once `reply` holds a slot and its stored place is gone (so its
   * text never streams under "waiting"); rejects, leaving the line, when
   * `signal` aborts first.
   */
  async waitForTurn(reply: T, signal: AbortSignal): Promise<void> {
    const waited = !reply.started;
    if (waited) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          reply.wake = null;
          this.leave(reply);
          reject(signal.reason);
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        reply.wake = () => {
          reply.wake = null;
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
    }
    if (waited || reply.storedPosition !== null) await this.renumber();
  }

  /** Stores `reply`'s final state; while a place is still stored, after any pass in flight (which skips stopped replies). */
  finalUpdate<R>(reply: T, store: () => Promise<R>): Promise<R> {
    this.shown.delete(reply);
    if (reply.storedPosition === null) return store();
    return this.edits.run(() => {
      reply.storedPosition = null;
      return store();
    });
  }

  /** Shutdown: empties the line (nothing starts) and returns who was in it. */
  drain(): T[] {
    return this.slots.drainQueue();
  }

  /** Resolves once every stored place change begun so far is done. */
  settled(): Promise<void> {
    return this.edits.run(async () => {});
  }

  /** Brings every stored place up to date; resolves once a pass begun after this call is done. */
  private renumber(): Promise<void> {
    if (!this.pendingPass) {
      this.pendingPass = this.edits.run(async () => {
        this.pendingPass = null;
        const changes: Promise<void>[] = [];
        for (const reply of this.shown) {
          const position = this.slots.position(reply);
          if (reply.stop || position === reply.storedPosition) continue;
          reply.storedPosition = position;
          changes.push(this.options.storePosition(reply, position));
        }
        await Promise.all(changes);
      });
    }
    return this.pendingPass;
  }
}
