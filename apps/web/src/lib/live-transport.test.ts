import { describe, expect, it } from 'vitest';
import { browserMemory, REMEMBER_FALLBACK_MS } from './live-transport';

function fakeStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('remembering a fallback to HTTP', () => {
  it('starts the next page on HTTP for ten minutes, then tries the WebSocket first again', () => {
    const memory = browserMemory(fakeStorage());
    expect(memory.remembered(0)).toBe(false);
    memory.remember(true, 1_000);
    expect(memory.remembered(1_000 + REMEMBER_FALLBACK_MS - 1)).toBe(true);
    expect(memory.remembered(1_000 + REMEMBER_FALLBACK_MS)).toBe(false);
  });

  it('forgets as soon as the WebSocket works again', () => {
    const memory = browserMemory(fakeStorage());
    memory.remember(true, 0);
    memory.remember(false, 1);
    expect(memory.remembered(2)).toBe(false);
  });

  it('works without storage, and with storage that refuses writes', () => {
    expect(browserMemory(null).remembered()).toBe(false);
    const full = {
      ...fakeStorage(),
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => browserMemory(full).remember(true)).not.toThrow();
  });
});
