import { describe, expect, it } from 'vitest';
import { pruneThrough } from './stream-log';

describe('pruneThrough', () => {
  it('prunes nothing between hundreds', () => {
    expect(pruneThrough(199, 10)).toBeNull();
    expect(pruneThrough(201, 10)).toBeNull();
  });

  it('prunes at a hundred the events `retention` or more behind it', () => {
    expect(pruneThrough(200, 10)).toBe(190);
    expect(pruneThrough(10_100, 10_000)).toBe(100);
  });

  it('prunes nothing while the stream is no longer than `retention`', () => {
    expect(pruneThrough(100, 100)).toBeNull();
    expect(pruneThrough(10_000, 10_000)).toBeNull();
  });

  it('prunes once the stream is one event longer than `retention` at a hundred', () => {
    expect(pruneThrough(100, 99)).toBe(1);
  });
});
