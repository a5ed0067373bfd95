import { describe, expect, it } from 'vitest';
import { MIN_REFRESH_GAP_MS, refreshAt, refreshDelayMs, retryDelayMs, tokenState } from './token-refresh';

const S = 1000;
const H = 3600 * S;
const T0 = 1_700_000_000_000;
const token = (lifeMs: number, receivedAt = T0) => ({ receivedAt, expiresAt: receivedAt + lifeMs });

describe('refreshAt', () => {
  it('renews a day-long token at 80 % of its life (after 19.2 h)', () => {
    expect(refreshAt(token(24 * H)) - T0).toBe(19.2 * H);
  });

  it('leaves at least a minute before expiry when the life allows it (2 min → after 60 s)', () => {
    expect(refreshAt(token(120 * S)) - T0).toBe(60 * S);
    expect(refreshAt(token(10 * 60 * S)) - T0).toBe(8 * 60 * S);
  });

  it('keeps half the life of a token too short for that margin (3 s → after 1.5 s)', () => {
    expect(refreshAt(token(3 * S)) - T0).toBe(1.5 * S);
  });

  it('never renews sooner than the minimum gap, even when the clock says the token is already dead', () => {
    expect(refreshAt(token(-5 * H)) - T0).toBe(MIN_REFRESH_GAP_MS);
    expect(refreshAt(token(0)) - T0).toBe(MIN_REFRESH_GAP_MS);
  });
});

describe('tokenState', () => {
  const t = token(3 * S);
  it('is fresh until the renewal moment, due from then, expired from expiresAt on', () => {
    expect(tokenState(T0, t)).toBe('fresh');
    expect(tokenState(T0 + 1.5 * S - 1, t)).toBe('fresh');
    expect(tokenState(T0 + 1.5 * S, t)).toBe('due');
    expect(tokenState(T0 + 3 * S - 1, t)).toBe('due');
    expect(tokenState(T0 + 3 * S, t)).toBe('expired');
    expect(tokenState(T0 + 10 * H, t)).toBe('expired');
  });
});

describe('refreshDelayMs', () => {
  it('counts down to the renewal moment and is 0 once it has passed (a late timer, a woken tab)', () => {
    const t = token(24 * H);
    expect(refreshDelayMs(T0, t)).toBe(19.2 * H);
    expect(refreshDelayMs(T0 + 19 * H, t)).toBe(0.2 * H);
    expect(refreshDelayMs(T0 + 23 * H, t)).toBe(0);
  });
});

describe('retryDelayMs', () => {
  it('backs off 2 s, 4 s, 8 s … up to a minute after a renewal that never reached the server', () => {
    const t = token(24 * H);
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => retryDelayMs(n, t, T0))).toEqual([
      2 * S,
      4 * S,
      8 * S,
      16 * S,
      32 * S,
      60 * S,
      60 * S,
      60 * S,
    ]);
  });

  it('does not wait past the expiry of a token that still works', () => {
    const t = token(24 * H);
    const now = t.expiresAt - 10 * S;
    expect(retryDelayMs(6, t, now)).toBe(10 * S - MIN_REFRESH_GAP_MS);
  });

  it('keeps backing off once the token has expired (the server decides then, when it answers)', () => {
    const t = token(3 * S);
    expect(retryDelayMs(3, t, t.expiresAt + 5 * S)).toBe(8 * S);
  });
});
