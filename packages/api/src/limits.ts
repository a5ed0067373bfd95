import type { RateLimiters, RateRule } from '@hubbub/bus';
import { AppError, type RateLimiter, waitWords } from '@hubbub/core';

/** A budget of `burst` calls at once, refilled at `perSecond` on average. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** Every abuse limit, with the defaults a public server wants (docs/security.md lists them). */
export interface LimitSettings {
  /** Writes (mutations) per user, across connections and instances; per client address when signed out. */
  writes: RateLimit;
  /** Reads (queries) per user, likewise. */
  reads: RateLimit;
  /** Channels one person may create per hour. */
  channelCreatesPerHour: number;
  /** Accounts one client address may create per hour. */
  signupsPerHourPerAddress: number;
  /** Sign-in attempts per handle in 15 minutes (a success clears them); the answers slow down before. */
  loginAttemptsPerHandle: number;
  /** Sign-in attempts per client address in 15 minutes, whatever the handles. */
  loginAttemptsPerAddress: number;
  /** Unsent bytes one connection may hold (responses and events alike) before it is cut off to resume. */
  maxBufferedBytes: number;
  /** Files one person may upload per hour (POST /api/files), across instances. */
  uploadsPerHour: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  writes: { burst: 30, perSecond: 10 },
  reads: { burst: 200, perSecond: 50 },
  channelCreatesPerHour: 20,
  signupsPerHourPerAddress: 20,
  loginAttemptsPerHandle: 10,
  loginAttemptsPerAddress: 100,
  maxBufferedBytes: 4 * 1024 * 1024,
  uploadsPerHour: 300,
};

const PLENTY = 1e9;
/**
 * Rate limits nobody reaches: for load tests and test servers, whose clients
 * are one address and a few users going as fast as they can. Buffers stay bounded.
 */
export const NO_RATE_LIMITS: Omit<LimitSettings, 'maxBufferedBytes'> = {
  writes: { burst: PLENTY, perSecond: PLENTY },
  reads: { burst: PLENTY, perSecond: PLENTY },
  channelCreatesPerHour: PLENTY,
  signupsPerHourPerAddress: PLENTY,
  loginAttemptsPerHandle: PLENTY,
  loginAttemptsPerAddress: PLENTY,
  uploadsPerHour: PLENTY,
};

/** The limiters the procedures take from, one per budget. */
export interface RateLimiterSet {
  writes: RateLimiter;
  reads: RateLimiter;
  channelCreates: RateLimiter;
  signups: RateLimiter;
  loginsByHandle: RateLimiter;
  loginsByAddress: RateLimiter;
  uploads: RateLimiter;
}

const LOGIN_WINDOW_MS = 15 * 60_000;
const HOUR_MS = 60 * 60_000;

/** A token-bucket-style setting as a fixed-window rule: `burst` points per `burst / perSecond` seconds. */
const windowed = (name: string, rate: RateLimit): RateRule => ({
  name,
  points: rate.burst,
  durationMs: (rate.burst / rate.perSecond) * 1000,
});

export function createRateLimiterSet(store: RateLimiters, settings: LimitSettings): RateLimiterSet {
  return {
    writes: store.limiter(windowed('writes', settings.writes)),
    reads: store.limiter(windowed('reads', settings.reads)),
    channelCreates: store.limiter({
      name: 'channel-creates',
      points: settings.channelCreatesPerHour,
      durationMs: HOUR_MS,
    }),
    signups: store.limiter({ name: 'signups', points: settings.signupsPerHourPerAddress, durationMs: HOUR_MS }),
    loginsByHandle: store.limiter({
      name: 'logins-by-handle',
      points: settings.loginAttemptsPerHandle,
      durationMs: LOGIN_WINDOW_MS,
    }),
    loginsByAddress: store.limiter({
      name: 'logins-by-address',
      points: settings.loginAttemptsPerAddress,
      durationMs: LOGIN_WINDOW_MS,
    }),
    uploads: store.limiter({ name: 'uploads', points: settings.uploadsPerHour, durationMs: HOUR_MS }),
  };
}

/** Takes one point from `key`, or throws TOO_MANY_REQUESTS saying what and when to retry. */
export async function take(limiter: RateLimiter, key: string, what: string): Promise<void> {
  const decision = await limiter.consume(key);
  if (!decision.allowed) {
    throw new AppError('TOO_MANY_REQUESTS', `${what}: try again in ${waitWords(decision.retryAfterMs)}`, {
      retryAfterMs: decision.retryAfterMs,
    });
  }
}
