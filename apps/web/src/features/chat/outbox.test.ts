import { describe, expect, it } from 'vitest';
import { createOutbox } from './outbox';
import { memoryStorage } from './test-storage';
import type { PendingMessage } from './types';

const pending = (n: number, patch: Partial<PendingMessage> = {}): PendingMessage => ({
  clientId: `c${n}`,
  channelId: 'general',
  content: `message ${n}`,
  createdAt: new Date(2026, 0, 1, 12, n).toISOString(),
  status: 'sending',
  ...patch,
});

describe('the outbox in local storage', () => {
  it('keeps unsent messages in order for the next page of the same person, and only theirs', () => {
    const storage = memoryStorage();
    const outbox = createOutbox(storage, 'u1');
    outbox.put(pending(1));
    outbox.put(pending(2));
    expect(createOutbox(storage, 'u1').all()).toEqual([pending(1), pending(2)]);
    expect(createOutbox(storage, 'u2').all()).toEqual([]);
  });

  it('logging out forgets that person’s unsent messages, and only theirs', () => {
    const storage = memoryStorage();
    const outbox = createOutbox(storage, 'u1');
    outbox.put(pending(1));
    createOutbox(storage, 'u2').put(pending(2));
    outbox.clear();
    expect(createOutbox(storage, 'u1').all()).toEqual([]);
    expect(createOutbox(storage, 'u2').all()).toEqual([pending(2)]);
  });

  it('replaces an entry with the same clientId (a failure, a retry) instead of adding a copy', () => {
    const outbox = createOutbox(memoryStorage(), 'u1');
    outbox.put(pending(1));
    outbox.put(pending(1, { status: 'failed', error: 'Archived' }));
    expect(outbox.all()).toEqual([pending(1, { status: 'failed', error: 'Archived' })]);
  });

  it('removes a confirmed message, and leaves no key behind when empty', () => {
    const storage = memoryStorage();
    const outbox = createOutbox(storage, 'u1');
    outbox.put(pending(1));
    outbox.put(pending(2));
    outbox.remove('c1');
    expect(outbox.all()).toEqual([pending(2)]);
    outbox.remove('c2');
    expect(storage.items.size).toBe(0);
  });

  it('is bounded: past `max` messages a new one is refused, never an older one dropped', () => {
    const outbox = createOutbox(memoryStorage(), 'u1', 2);
    expect(outbox.put(pending(1))).toBe(true);
    expect(outbox.put(pending(2))).toBe(true);
    expect(outbox.put(pending(3))).toBe(false);
    expect(outbox.all().map((m) => m.clientId)).toEqual(['c1', 'c2']);
    expect(outbox.put(pending(2, { status: 'failed' }))).toBe(true);
  });

  it('says when storage refuses the write', () => {
    expect(createOutbox(memoryStorage(50), 'u1').put(pending(1))).toBe(false);
    expect(createOutbox(null, 'u1').put(pending(1))).toBe(false);
  });

  it('reads storage as untrusted: broken JSON and malformed entries are skipped', () => {
    const storage = memoryStorage();
    storage.setItem('hubbub.outbox.u1', '{oops');
    expect(createOutbox(storage, 'u1').all()).toEqual([]);
    storage.setItem(
      'hubbub.outbox.u1',
      JSON.stringify([
        pending(1),
        { clientId: 'x' },
        pending(2, { content: '' }),
        pending(3, { status: 'sent' as 'sending' }),
      ]),
    );
    expect(createOutbox(storage, 'u1').all()).toEqual([pending(1)]);
  });
});
