import { initTRPC, TRPCError, tracked } from '@trpc/server';
import { vi } from 'vitest';
import { z } from 'zod';
import { createFeed } from './recorders';

/** A fresh router for one case: a query, a mutation, a pushed subscription and a few that end on their own. */
export function wireRouter() {
  const feed = createFeed<unknown>();
  const finallyRan = vi.fn();
  const t = initTRPC.create();
  const router = t.router({
    greet: t.procedure.input(z.string().nullish()).query(({ input }) => `hello ${input ?? 'world'}`),
    add: t.procedure.input(z.object({ a: z.number(), b: z.number() })).mutation(({ input }) => input.a + input.b),
    batchIndex: t.procedure.query((opts) => opts.batchIndex),
    live: t.procedure.subscription(async function* (opts) {
      try {
        yield* feed.values(opts.signal);
      } finally {
        finallyRan();
      }
    }),
    tracked: t.procedure.subscription(async function* () {
      yield tracked('e1', { text: 'first' });
    }),
    failing: t.procedure.input(z.string()).subscription(async function* () {
      yield 'before';
      throw new TRPCError({ code: 'CONFLICT', message: 'stream broke' });
    }),
  });
  return { router, feed, finallyRan };
}

/** A query call as wsLink frames it. */
export const query = (id: number | string, path: string, input?: unknown) => ({
  id,
  method: 'query',
  params: { path, input },
});
