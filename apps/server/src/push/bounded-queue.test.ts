import { describe, expect, it } from 'vitest';
import { createBoundedQueue } from './bounded-queue';

/** A job that runs until the test lets it finish. */
function gate() {
  let open = () => {};
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open: () => open() };
}

describe('bounded queue', () => {
  it('runs at most `concurrency` jobs at once, queues up to `maxQueued`, drops the rest and tells', async () => {
    let dropped = 0;
    const queue = createBoundedQueue({ concurrency: 2, maxQueued: 2, onDrop: () => dropped++ });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    for (const [i, g] of gates.entries()) {
      queue.push(async () => {
        started.push(i);
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await g.done;
        running--;
      });
    }
    expect(started).toEqual([0, 1]);
    expect(dropped).toBe(1);
    for (const g of gates) g.open();
    await queue.idle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(mostAtOnce).toBe(2);
  });

  it('on close drops what waits, takes nothing more, and resolves once the running jobs end', async () => {
    const queue = createBoundedQueue({ concurrency: 1, maxQueued: 10, onDrop: () => {} });
    const running = gate();
    const ran: string[] = [];
    queue.push(async () => {
      ran.push('running');
      await running.done;
    });
    queue.push(async () => {
      ran.push('waiting');
    });
    const closed = queue.close();
    queue.push(async () => {
      ran.push('after close');
    });
    running.open();
    await closed;
    expect(ran).toEqual(['running']);
  });
});
