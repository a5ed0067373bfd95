/**
 * When to renew a short-lived access token. Times are this device's clock
 * (ms): `receivedAt` is when the token arrived, `expiresAt` what the server
 * said. Pure, so the rules are tested by moving numbers, not by waiting.
 */
export interface HeldToken {
  receivedAt: number;
  expiresAt: number;
}

/** Renew at this share of a token's life… */
export const REFRESH_SHARE = 0.8;
/** …but at least this long before it expires (a slow network, a throttled background tab)… */
export const REFRESH_LEAD_MS = 60_000;
/** …unless that would renew before half its life: very short tokens (tests) keep the share rule. */
const MIN_SHARE = 0.5;
/** Never sooner than this after a token arrived: a clock far ahead of the server's must not spin. */
export const MIN_REFRESH_GAP_MS = 1_000;

/**
 * The moment to renew: 80 % of the token's life, moved earlier to leave a
 * minute's margin where the life is long enough for that (24 h → after
 * 19.2 h; 2 min → after 60 s; 3 s → after 1.5 s).
 */
export function refreshAt(token: HeldToken): number {
  const life = token.expiresAt - token.receivedAt;
  const withLead = Math.max(life * MIN_SHARE, life - REFRESH_LEAD_MS);
  return token.receivedAt + Math.max(MIN_REFRESH_GAP_MS, Math.min(life * REFRESH_SHARE, withLead));
}

/**
 * - `fresh`: nothing to do yet;
 * - `due`: still valid, renew now (a timer fired late: the tab slept or was throttled);
 * - `expired`: the server will refuse it: renew before using it.
 */
export type TokenState = 'fresh' | 'due' | 'expired';

export function tokenState(now: number, token: HeldToken): TokenState {
  if (now >= token.expiresAt) return 'expired';
  if (now >= refreshAt(token)) return 'due';
  return 'fresh';
}

/** How long to wait before renewing, for a timer (0 when it is already time). */
export function refreshDelayMs(now: number, token: HeldToken): number {
  return Math.max(0, refreshAt(token) - now);
}

/** After `failures` renewals in a row that never reached the server: when to try again. */
export function retryDelayMs(failures: number, token: HeldToken, now: number): number {
  const backoff = Math.min(60_000, 2_000 * 2 ** Math.max(0, failures - 1));
  // Before expiry, do not wait past it: one more try just before the token stops working.
  const beforeExpiry = token.expiresAt - now - MIN_REFRESH_GAP_MS;
  return beforeExpiry > MIN_REFRESH_GAP_MS ? Math.min(backoff, beforeExpiry) : backoff;
}
