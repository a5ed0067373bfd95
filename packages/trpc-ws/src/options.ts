import type { AnyTRPCRouter } from '@trpc/server';
import type { WSSHandlerOptions as StockOptions } from '@trpc/server/adapters/ws';

/** What one connection may ask of the server; every queue and buffer of a connection is bounded by these. */
export interface WsLimits {
  /** Calls one frame may carry (a batch). */
  maxBatch: number;
  /** Calls running at once; while this many run, the socket is not read (TCP pushes back on the client). */
  maxInFlight: number;
  /** Subscriptions open at once. */
  maxSubscriptions: number;
  /** Unsent bytes (answers and events alike) before the connection is cut off as too slow (close 4008). */
  maxBufferedBytes: number;
  /** A client that asked to send connectionParams must send them within this. */
  connectionParamsTimeoutMs: number;
}

/**
 * The defaults behave as the stock adapter does (no cap on batches, calls or
 * subscriptions), but for memory: a connection's unsent bytes are bounded,
 * and a client that announced connectionParams must send them. A server on
 * the open internet should set the rest (Hubbub's does).
 */
export const DEFAULT_WS_LIMITS: WsLimits = {
  maxBatch: Number.POSITIVE_INFINITY,
  maxInFlight: Number.POSITIVE_INFINITY,
  maxSubscriptions: Number.POSITIVE_INFINITY,
  maxBufferedBytes: 4 * 1024 * 1024,
  connectionParamsTimeoutMs: 10_000,
};

/** The close code of a cut-off: the client fell too far behind; it may reconnect and resume. */
export const CLOSE_TOO_SLOW = 4008;

/** The stock adapter's options, and what is this adapter's own. */
export type WSSHandlerOptions<TRouter extends AnyTRPCRouter> = StockOptions<TRouter> & {
  limits?: Partial<WsLimits>;
  /**
   * Keep each connection's upgrade request for its whole life, as the stock
   * adapter does (default). With false it is released once the context exists
   * (a few KB per connection); `onError` then gets it only for errors raised
   * while the connection is being set up.
   */
  keepUpgradeRequest?: boolean;
};
