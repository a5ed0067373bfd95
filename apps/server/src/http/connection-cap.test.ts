import { describe, expect, it } from 'vitest';
import { PerKeyCounter } from './connection-cap';

describe('PerKeyCounter', () => {
  it('admits up to max per key, each key on its own', () => {
    const counter = new PerKeyCounter(2);
    expect([counter.tryAcquire('a'), counter.tryAcquire('a'), counter.tryAcquire('a')]).toEqual([true, true, false]);
    expect(counter.tryAcquire('b')).toBe(true);
    expect(counter.count('a')).toBe(2);
  });

  it('a release makes room again, and an empty key is forgotten', () => {
    const counter = new PerKeyCounter(1);
    counter.tryAcquire('a');
    counter.release('a');
    expect(counter.count('a')).toBe(0);
    expect(counter.tryAcquire('a')).toBe(true);
  });

  it('0 means no cap', () => {
    const counter = new PerKeyCounter(0);
    for (let i = 0; i < 1000; i++) expect(counter.tryAcquire('a')).toBe(true);
  });
});
