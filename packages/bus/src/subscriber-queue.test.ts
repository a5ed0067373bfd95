import { describe, expect, it } from 'vitest';
import { SubscriberQueue } from './subscriber-queue';

/** Reads everything the queue hands out until it reports its end. */
async function drain<T>(queue: SubscriberQueue<T>): Promise<T[]> {
  const out: T[] = [];
  for (let item = await queue.next(); item !== null; item = await queue.next()) out.push(item);
  return out;
}

describe('SubscriberQueue', () => {
  it('hands items out first in, first out', async () => {
    const queue = new SubscriberQueue<number>(10);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue.size).toBe(3);
    expect(await queue.next()).toBe(1);
    expect(await queue.next()).toBe(2);
    expect(queue.size).toBe(1);
    queue.push(4);
    expect(await queue.next()).toBe(3);
    expect(await queue.next()).toBe(4);
    expect(queue.size).toBe(0);
    expect(queue.ended).toBeNull();
  });

  it('hands an item straight to a waiting consumer without queueing it', async () => {
    const queue = new SubscriberQueue<string>(10);
    const waiting = queue.next();
    queue.push('a');
    expect(queue.size).toBe(0);
    expect(await waiting).toBe('a');
    queue.push('b');
    expect(queue.size).toBe(1);
    expect(await queue.next()).toBe('b');
  });

  it('does not count handed-off items against the capacity', async () => {
    const queue = new SubscriberQueue<number>(1);
    for (let i = 0; i < 5; i++) {
      const waiting = queue.next();
      queue.push(i);
      expect(await waiting).toBe(i);
    }
    expect(queue.ended).toBeNull();
  });

  it('holds up to `capacity` items', async () => {
    const queue = new SubscriberQueue<number>(3);
    for (const n of [1, 2, 3]) queue.push(n);
    expect(queue.ended).toBeNull();
    expect(queue.size).toBe(3);
  });

  it('ends with overflow one item past its capacity and drops what was queued', async () => {
    const queue = new SubscriberQueue<number>(3);
    for (const n of [1, 2, 3, 4]) queue.push(n);
    expect(queue.ended).toBe('overflow');
    expect(queue.size).toBe(0);
    expect(await queue.next()).toBeNull();
    expect(await queue.next()).toBeNull();
  });

  it('end("closed") lets the consumer drain the remaining items, then gives null', async () => {
    const queue = new SubscriberQueue<string>(10);
    queue.push('a');
    queue.push('b');
    queue.end('closed');
    expect(queue.ended).toBe('closed');
    expect(await drain(queue)).toEqual(['a', 'b']);
    expect(await queue.next()).toBeNull();
  });

  it('end() defaults to closed', async () => {
    const queue = new SubscriberQueue<string>(10);
    queue.push('a');
    queue.end();
    expect(queue.ended).toBe('closed');
    expect(await drain(queue)).toEqual(['a']);
  });

  it('wakes a waiting consumer with null when it ends', async () => {
    const queue = new SubscriberQueue<string>(10);
    const waiting = queue.next();
    queue.end();
    expect(await waiting).toBeNull();
  });

  it('ignores pushes after the end', async () => {
    const closed = new SubscriberQueue<number>(10);
    closed.push(1);
    closed.end();
    closed.push(2);
    expect(await drain(closed)).toEqual([1]);

    const overflowed = new SubscriberQueue<number>(1);
    overflowed.push(1);
    overflowed.push(2);
    overflowed.push(3);
    expect(overflowed.size).toBe(0);
    expect(await overflowed.next()).toBeNull();
  });

  it('keeps the first end reason', async () => {
    const queue = new SubscriberQueue<number>(10);
    queue.push(1);
    queue.end('closed');
    queue.end('overflow');
    expect(queue.ended).toBe('closed');
    expect(await drain(queue)).toEqual([1]);
  });

  it('keeps FIFO order across compaction of a long-lived queue', async () => {
    const queue = new SubscriberQueue<number>(5_000);
    const out: number[] = [];
    let pushed = 0;
    // Interleave bursts of pushes with partial reads so the read position passes the compaction threshold
    // several times while items are still queued.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 2_000; i++) queue.push(pushed++);
      for (let i = 0; i < 1_700; i++) out.push((await queue.next()) as number);
    }
    expect(queue.ended).toBeNull();
    expect(queue.size).toBe(pushed - out.length);
    queue.end();
    out.push(...(await drain(queue)));
    expect(out).toEqual(Array.from({ length: pushed }, (_, i) => i));
  });

  it('counts capacity from the unread items after compaction', async () => {
    const queue = new SubscriberQueue<number>(2_000);
    for (let i = 0; i < 2_000; i++) queue.push(i);
    for (let i = 0; i < 1_500; i++) await queue.next();
    // 500 unread: 1 500 more fit, the next one overflows.
    for (let i = 0; i < 1_500; i++) queue.push(2_000 + i);
    expect(queue.ended).toBeNull();
    expect(queue.size).toBe(2_000);
    queue.push(-1);
    expect(queue.ended).toBe('overflow');
  });
});
