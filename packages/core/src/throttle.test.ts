import { describe, expect, it } from 'vitest';
import { KeyedThrottle, TokenBucket, waitWords } from './throttle';

const takeN = (bucket: TokenBucket, n: number, now: number) => Array.from({ length: n }, () => bucket.take(now));

describe('TokenBucket', () => {
  it('allows a burst of `capacity` calls at once, then refuses', () => {
    const bucket = new TokenBucket(3, 1, 0);
    expect(takeN(bucket, 4, 0)).toEqual([true, true, true, false]);
  });

  it('refills at `perSecond` with the time passed in', () => {
    const bucket = new TokenBucket(3, 2, 1_000);
    takeN(bucket, 3, 1_000);
    expect(bucket.take(1_000)).toBe(false);
    // 2 tokens per second: 250 ms is half a token, not enough.
    expect(bucket.take(1_250)).toBe(false);
    // 500 ms after the start: one token in total.
    expect(bucket.take(1_500)).toBe(true);
    expect(bucket.take(1_500)).toBe(false);
    // One more second: two tokens.
    expect(takeN(bucket, 3, 2_500)).toEqual([true, true, false]);
  });

  it('never refills beyond its capacity', () => {
    const bucket = new TokenBucket(2, 10, 0);
    takeN(bucket, 2, 0);
    expect(takeN(bucket, 3, 60_000)).toEqual([true, true, false]);
  });

  it('does not mint tokens when the time goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
  });

  it('keeps fractional refill between calls', () => {
    const bucket = new TokenBucket(1, 1, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(400)).toBe(false);
    expect(bucket.take(800)).toBe(false);
    expect(bucket.take(1_000)).toBe(true);
  });
});

describe('KeyedThrottle', () => {
  it('passes a key once per interval', () => {
    const throttle = new KeyedThrottle(2_000);
    expect(throttle.pass('u1:c1', 0)).toBe(true);
    expect(throttle.pass('u1:c1', 1)).toBe(false);
    expect(throttle.pass('u1:c1', 1_999)).toBe(false);
    expect(throttle.pass('u1:c1', 2_000)).toBe(true);
    expect(throttle.pass('u1:c1', 3_999)).toBe(false);
  });

  it('throttles each key on its own', () => {
    const throttle = new KeyedThrottle(2_000);
    expect(throttle.pass('u1:c1', 0)).toBe(true);
    expect(throttle.pass('u2:c1', 10)).toBe(true);
    expect(throttle.pass('u1:c2', 20)).toBe(true);
    expect(throttle.pass('u1:c1', 30)).toBe(false);
    expect(throttle.pass('u2:c1', 40)).toBe(false);
  });

  it('does not extend the window with refused calls', () => {
    const throttle = new KeyedThrottle(1_000);
    expect(throttle.pass('k', 0)).toBe(true);
    for (let t = 100; t < 1_000; t += 100) expect(throttle.pass('k', t)).toBe(false);
    expect(throttle.pass('k', 1_000)).toBe(true);
  });

  it('still throttles correctly after sweeping many expired keys', () => {
    const throttle = new KeyedThrottle(1_000);
    for (let i = 0; i <= 10_001; i++) throttle.pass(`old-${i}`, 0);
    expect(throttle.pass('fresh', 5_000)).toBe(true);
    expect(throttle.pass('fresh', 5_500)).toBe(false);
    // Swept keys start over.
    expect(throttle.pass('old-1', 5_500)).toBe(true);
  });
});

describe('waitWords', () => {
  it('says how long to wait in the unit a person reads at a glance, rounded up', () => {
    expect(waitWords(0)).toBe('1 s');
    expect(waitWords(12_300)).toBe('13 s');
    expect(waitWords(89_000)).toBe('89 s');
    expect(waitWords(90_000)).toBe('2 min');
    expect(waitWords(89 * 60_000)).toBe('89 min');
    expect(waitWords(90 * 60_000)).toBe('2 h');
    expect(waitWords(4 * 3_600_000 + 1)).toBe('5 h');
  });
});
