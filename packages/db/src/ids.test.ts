import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('is a version 7 UUID (RFC 9562 variant bits)', () => {
    const id = newId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries its creation time, so later ids sort after earlier ones', () => {
    const at = Date.UTC(2026, 11, 1, 12, 0, 0);
    const id = newId(at);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    const ids = [at, at + 1, at + 1000, at + 86_400_000].map((t) => newId(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('is unique within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId(1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });

  it('sorts in minting order within one millisecond, and when the clock steps back a little', () => {
    const at = 1_800_000_000_000;
    const ids = Array.from({ length: 5_000 }, () => newId(at));
    ids.push(newId(at - 5), newId(at + 10));
    expect([...ids].sort()).toEqual(ids);
  });
});
