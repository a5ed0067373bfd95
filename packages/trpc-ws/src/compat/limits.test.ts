import { initTRPC } from '@trpc/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { adapters, RawSocket, serve } from './harness';
import { deferred } from './recorders';
import { query, wireRouter } from './wire-router';

// The stock adapter bounds none of these; a drop-in given no `limits` must not either.
describe.each(adapters)('no limits unless asked for: %s', (_name, apply) => {
  it('a quick call is answered while many slow ones are still running', async () => {
    const release = deferred();
    const slowStarted = vi.fn();
    const t = initTRPC.create();
    const router = t.router({
      slow: t.procedure.input(z.number()).query(async ({ input }) => {
        slowStarted();
        await release.promise;
        return input;
      }),
      quick: t.procedure.query(() => 'quick'),
    });
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    for (let id = 1; id <= 20; id++) socket.send(query(id, 'slow', id));
    socket.send(query(100, 'quick'));

    expect(await socket.next()).toEqual({ id: 100, result: { type: 'data', data: 'quick' } });
    expect(slowStarted).toHaveBeenCalledTimes(20);
    release.resolve();
    const slowAnswers = await socket.take(20);
    expect(slowAnswers.map((a) => a.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a frame of 150 calls is answered in full', async () => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);

    socket.send(Array.from({ length: 150 }, (_, i) => query(i + 1, 'batchIndex')));

    const answers = await socket.take(150);
    expect(answers.every((a) => a.result?.data === a.id - 1)).toBe(true);
  });

  it('120 subscriptions on one connection all start', async () => {
    const { router } = wireRouter();
    await using server = await serve(apply, { router });
    await using socket = await RawSocket.open(server.url);
    const subscribe = (id: number) => ({ id, method: 'subscription', params: { path: 'live' } });

    socket.send(Array.from({ length: 60 }, (_, i) => subscribe(i + 1)));
    socket.send(Array.from({ length: 60 }, (_, i) => subscribe(i + 61)));

    const answers = await socket.take(120);
    expect(answers.filter((a) => a.result?.type === 'started')).toHaveLength(120);
  });
});
