import type { KeyValueStorage } from './local-storage';

/** localStorage for unit tests: a Map, with an optional quota in characters (a write past it throws, as browsers do). */
export function memoryStorage(quota = Number.POSITIVE_INFINITY): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  const used = () => [...items].reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      const without = used() - (items.has(key) ? key.length + (items.get(key)?.length ?? 0) : 0);
      if (without + key.length + value.length > quota) throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => void items.delete(key),
  };
}
