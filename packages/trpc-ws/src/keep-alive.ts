/**
 * tRPC's keepalive, for every connection of a server on one timer: a
 * connection silent for `pingMs` is sent `PING`, and one still silent
 * `pongWaitMs` after that is terminated. The stock `handleKeepAlive` arms two
 * timers and three closures per socket and re-arms them on every message; here
 * a message only sets a flag, and a sweep every quarter of the shorter period
 * looks at each connection (so a PING comes up to two sweeps late, a cut up to one).
 */

/** What the sweep needs of a connection. */
export interface KeptAlive {
  /** Set by the connection whenever a message arrives; the sweep clears it. */
  heard: boolean;
  /** When the sweep last found it silent after hearing it (ms, the sweep's clock). */
  quietSince: number;
  /** When the PING went out, 0 while none waits for an answer. */
  pingedAt: number;
  ping(): void;
  terminate(): void;
}

export class KeepAliveSweep {
  private readonly connections = new Set<KeptAlive>();
  private timer: NodeJS.Timeout | null = null;
  private readonly everyMs: number;

  constructor(
    private readonly pingMs = 30_000,
    private readonly pongWaitMs = 5_000,
  ) {
    this.everyMs = Math.max(1, Math.floor(Math.min(pingMs, pongWaitMs) / 4));
  }

  watch(connection: KeptAlive): void {
    connection.heard = false;
    connection.quietSince = performance.now();
    connection.pingedAt = 0;
    this.connections.add(connection);
    this.timer ??= setInterval(() => this.sweep(), this.everyMs).unref();
  }

  forget(connection: KeptAlive): void {
    this.connections.delete(connection);
    if (this.connections.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const connection of this.connections) {
      if (connection.heard) {
        connection.heard = false;
        connection.quietSince = now;
        connection.pingedAt = 0;
      } else if (connection.pingedAt !== 0) {
        if (now - connection.pingedAt >= this.pongWaitMs) {
          this.forget(connection);
          connection.terminate();
        }
      } else if (now - connection.quietSince >= this.pingMs) {
        connection.pingedAt = now;
        connection.ping();
      }
    }
  }
}
