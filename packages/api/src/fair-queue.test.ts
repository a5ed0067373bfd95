import { AppError } from '@hubbub/core';
import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue';

/** A job that runs until released, recording when it started. */
function gate(started: string[], name: string) {
  let release = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    job: async () => {
      started.push(name);
      await done;
      return name;
    },
    release: () => release(),
  };
}

/** Lets the settled job's `finally` hand its slot over. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const options = { concurrency: 1, perKey: 10, maxWaiting: 100, busyMessage: 'busy' };

describe('FairQueue', () => {
  it('runs up to `concurrency` jobs at once and the rest as slots free up', async () => {
    const queue = new FairQueue({ ...options, concurrency: 2 });
    const started: string[] = [];
    const jobs = ['a', 'b', 'c'].map((name) => gate(started, name));
    const results = jobs.map((g, i) => queue.run(`k${i}`, g.job));
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    expect(queue.size).toEqual({ running: 2, waiting: 1 });
    jobs[0]?.release();
    await results[0];
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c']);
    for (const g of jobs) g.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
  });

  it("lets another key's job go before a flooding key's backlog", async () => {
    const queue = new FairQueue(options);
    const started: string[] = [];
    const flood = Array.from({ length: 5 }, (_, i) => gate(started, `flood${i}`));
    const floodDone = flood.map((g) => queue.run('attacker', g.job));
    const other = gate(started, 'alice');
    const aliceDone = queue.run('alice', other.job);
    flood[0]?.release();
    await floodDone[0];
    await settle();
    // After the running job, alice's turn comes before the attacker's second job.
    expect(started).toEqual(['flood0', 'alice']);
    other.release();
    await aliceDone;
    for (const g of flood) g.release();
    await Promise.all(floodDone);
    expect(started).toEqual(['flood0', 'alice', 'flood1', 'flood2', 'flood3', 'flood4']);
  });

  it('refuses a key that already has `perKey` jobs waiting, and everyone past `maxWaiting`', async () => {
    const queue = new FairQueue({ ...options, perKey: 2, maxWaiting: 3 });
    const started: string[] = [];
    const running = gate(started, 'first');
    const first = queue.run('a', running.job);
    const waiting = [queue.run('a', async () => 'w1'), queue.run('a', async () => 'w2')];
    await expect(queue.run('a', async () => 'w3')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    waiting.push(queue.run('b', async () => 'b1'));
    const refused = await queue.run('c', async () => 'c1').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).details.retryAfterMs).toBeGreaterThan(0);
    running.release();
    expect(await first).toBe('first');
    expect(await Promise.all(waiting)).toEqual(['w1', 'w2', 'b1']);
  });

  it('frees the slot when a job throws', async () => {
    const queue = new FairQueue(options);
    await expect(
      queue.run('a', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await queue.run('a', async () => 'next')).toBe('next');
    expect(queue.size).toEqual({ running: 0, waiting: 0 });
  });
});
