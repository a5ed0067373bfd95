import { initTRPC } from '@trpc/server';
import type { applyWSSHandler as stockApply, WSSHandlerOptions } from '@trpc/server/adapters/ws';
import { describe, expectTypeOf, it } from 'vitest';
import type { applyWSSHandler } from '../index';

// Type-level cases: tsc checks them (`pnpm typecheck`); at run time they only exercise the types' shapes.
describe('types: @hubbub/trpc-ws', () => {
  it('accepts options typed with the stock WSSHandlerOptions, with a context and without', () => {
    const t = initTRPC.context<{ user: string }>().create();
    const withContext = t.router({ me: t.procedure.query(({ ctx }) => ctx.user) });
    const plain = initTRPC.create().router({});

    expectTypeOf<WSSHandlerOptions<typeof withContext>>().toExtend<
      Parameters<typeof applyWSSHandler<typeof withContext>>[0]
    >();
    expectTypeOf<WSSHandlerOptions<typeof plain>>().toExtend<Parameters<typeof applyWSSHandler<typeof plain>>[0]>();
  });

  it('returns what the stock one returns', () => {
    const router = initTRPC.create().router({});
    expectTypeOf<ReturnType<typeof applyWSSHandler<typeof router>>>().toExtend<
      ReturnType<typeof stockApply<typeof router>>
    >();
  });
});
