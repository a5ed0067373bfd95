import { describe, expect, it } from 'vitest';
import { ReplySlots } from './reply-slots';

describe('ReplySlots', () => {
  it('starts requests while a slot is free, then queues them first come, first served', () => {
    const slots = new ReplySlots<string>(2, 10);
    expect(['a', 'b', 'c', 'd'].map((id) => slots.admit(id))).toEqual(['start', 'start', 'wait', 'wait']);
    expect(slots.runningCount).toBe(2);
    expect(slots.waitingCount).toBe(2);
    expect(slots.position('c')).toBe(1);
    expect(slots.position('d')).toBe(2);
    expect(slots.position('a')).toBeNull();
    expect(slots.isRunning('a')).toBe(true);
  });

  it('a freed slot goes to the head of the line, and the rest move up', () => {
    const slots = new ReplySlots<string>(1, 10);
    for (const id of ['a', 'b', 'c', 'd']) slots.admit(id);
    expect(slots.release('a')).toEqual(['b']);
    expect(slots.isRunning('b')).toBe(true);
    expect([slots.position('c'), slots.position('d')]).toEqual([1, 2]);
    expect(slots.release('b')).toEqual(['c']);
    expect(slots.release('c')).toEqual(['d']);
    expect(slots.release('d')).toEqual([]);
    expect(slots.runningCount).toBe(0);
  });

  it('never runs more than the cap, whatever the order of arrivals and departures', () => {
    const slots = new ReplySlots<number>(3, 100);
    let next = 0;
    const running = new Set<number>();
    for (let round = 0; round < 200; round++) {
      // Two arrive, one leaves (the oldest running): the line grows, then everyone drains.
      for (const _ of [0, 1]) {
        const id = next++;
        if (slots.admit(id) === 'start') running.add(id);
      }
      const oldest = Math.min(...running);
      running.delete(oldest);
      for (const started of slots.release(oldest)) running.add(started);
      expect(slots.runningCount).toBe(running.size);
      expect(running.size).toBeLessThanOrEqual(3);
      if (round > 100) break;
    }
    // Starts happen in arrival order.
    const order: number[] = [];
    while (running.size > 0) {
      const oldest = Math.min(...running);
      running.delete(oldest);
      for (const started of slots.release(oldest)) {
        order.push(started);
        running.add(started);
      }
    }
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(slots.waitingCount).toBe(0);
  });

  it('refuses once the line is full, and takes requests again when it moves', () => {
    const slots = new ReplySlots<string>(1, 2);
    expect(['a', 'b', 'c', 'd'].map((id) => slots.admit(id))).toEqual(['start', 'wait', 'wait', 'full']);
    expect(slots.position('d')).toBeNull();
    slots.release('a');
    expect(slots.admit('d')).toBe('wait');
    expect(slots.position('d')).toBe(2);
  });

  it('with no line at all, a request beyond the cap is refused', () => {
    const slots = new ReplySlots<string>(1, 0);
    expect([slots.admit('a'), slots.admit('b')]).toEqual(['start', 'full']);
  });

  it('one who gives up waiting leaves the line without starting anyone', () => {
    const slots = new ReplySlots<string>(1, 10);
    for (const id of ['a', 'b', 'c', 'd']) slots.admit(id);
    expect(slots.release('c')).toEqual([]);
    expect([slots.position('b'), slots.position('c'), slots.position('d')]).toEqual([1, null, 2]);
    expect(slots.isRunning('a')).toBe(true);
    // Leaving twice, or after the end, changes nothing.
    expect(slots.release('c')).toEqual([]);
    expect(slots.waitingCount).toBe(2);
  });

  it('a newcomer does not jump the line when a slot frees in between', () => {
    const slots = new ReplySlots<string>(1, 10);
    slots.admit('a');
    slots.admit('b');
    expect(slots.release('a')).toEqual(['b']);
    expect(slots.admit('c')).toBe('wait');
  });

  it('drainQueue (shutdown) empties the line and starts nobody', () => {
    const slots = new ReplySlots<string>(1, 10);
    for (const id of ['a', 'b', 'c']) slots.admit(id);
    expect(slots.drainQueue()).toEqual(['b', 'c']);
    expect(slots.release('a')).toEqual([]);
    expect(slots.runningCount).toBe(0);
  });

  it('rejects a cap below one and a double admission', () => {
    expect(() => new ReplySlots(0, 10)).toThrow(RangeError);
    const slots = new ReplySlots<string>(1, 10);
    slots.admit('a');
    expect(() => slots.admit('a')).toThrow('already admitted');
  });
});
