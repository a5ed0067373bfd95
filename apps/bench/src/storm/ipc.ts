/**
 * What `pnpm bench:storm`'s coordinator and its load processes say to each other. Times are absolute
 * milliseconds (performance.timeOrigin + performance.now()), so they compare across processes.
 */

export type ToStormWorker =
  | {
      type: 'connect';
      base: string;
      channelId: string;
      /** One token per client this process holds. */
      tokens: string[];
      maxMessages: number;
    }
  /** The server is being stopped: attempts from now on count as the outage's. */
  | { type: 'down' }
  /** The restarted server accepts since `readyAt`; `before`: the messages acknowledged before it did. */
  | { type: 'again'; readyAt: number; before: number[] }
  /** The observed window is over: CPU and event-loop delay since 'again'. */
  | { type: 'observed' }
  /** How many of `acked` the clients lack, and whether every client is back. */
  | { type: 'status'; acked: number[] }
  | { type: 'report'; acked: number[] }
  | { type: 'close' };

/** One client's figures after the restart (absolute times; null: never). */
export interface ClientRecord {
  caughtUpAt: number | null;
  startedAgainAt: number | null;
  openedAgainAt: number | null;
  /** Connection attempts after the restarted server accepted. */
  attemptsAgain: number;
  /** Close codes after the restart, before the client was back (1013: turned away by admission). */
  closesAgain: number[];
  missingAcked: number;
  missingBefore: number;
  duplicates: number;
}

export type ToStormCoordinator =
  | { type: 'ready' }
  | { type: 'connected' }
  | { type: 'down' }
  | { type: 'again' }
  | { type: 'observed'; cpuSeconds: number; loopP99Ms: number; loopMaxMs: number }
  | { type: 'status'; missing: number; allBack: boolean }
  | {
      type: 'report';
      clients: ClientRecord[];
      /** Live deliveries after the restart, flattened pairs: [ms since it accepted, publish→receive ms, …]. */
      live: number[];
      /** Connection attempts since 'down'. */
      attempts: number;
    };
