/** What `pnpm bench:scale`'s coordinator and its load processes say to each other. */

export type ToWorker =
  | {
      type: 'connect';
      /** One URL per connection (Hubbub's carry each user's token). */
      urls: string[];
      /** Frames each connection sends once open. */
      frames: string[];
      /** Bytes of the frame that confirms the subscription; null: open is subscribed (raw ws). */
      confirm: string | null;
      /** Connections being opened at once. */
      inFlight: number;
      /** The loopback address this process connects from (each its own, so ephemeral ports never run short). */
      localAddress: string;
    }
  | { type: 'count' }
  | { type: 'close' };

export type ToCoordinator =
  | { type: 'ready' }
  | {
      type: 'connected';
      /** Absolute ms (performance.timeOrigin + now): when it began, its first and last subscription confirmed. */
      startedAt: number;
      first: number;
      last: number;
      subscribed: number;
      failed: number;
      firstError: string | null;
    }
  | { type: 'count'; delivered: number };
