import { describe, expect, it } from 'vitest';
import { waitWords } from './limits';
import { loginDelayMs } from './login-guard';

describe('loginDelayMs', () => {
  it('answers the first attempts at full speed, then doubles the wait, up to 8 s', () => {
    expect([0, 1, 2].map(loginDelayMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6, 7].map(loginDelayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(loginDelayMs(50)).toBe(8000);
  });
});

describe('waitWords', () => {
  it('says how long to wait in the unit a person reads at a glance', () => {
    expect(waitWords(0)).toBe('1 s');
    expect(waitWords(12_300)).toBe('13 s');
    expect(waitWords(89_000)).toBe('89 s');
    expect(waitWords(90_000)).toBe('2 min');
    expect(waitWords(14 * 60_000)).toBe('14 min');
    expect(waitWords(5 * 3600_000)).toBe('5 h');
  });
});
