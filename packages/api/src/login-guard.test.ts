import { describe, expect, it } from 'vitest';
import { loginDelayMs } from './login-guard';

describe('loginDelayMs', () => {
  it('answers the first attempts at full speed, then doubles the wait, up to 8 s', () => {
    expect([0, 1, 2].map(loginDelayMs)).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6, 7].map(loginDelayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(loginDelayMs(50)).toBe(8000);
  });
});
