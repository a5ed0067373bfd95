import { initTRPC } from '@trpc/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

/**
 * patches/@trpc__server@11.22.1.patch: tRPC's object-spread helper (every call spreads its options and the
 * context it passes on) assigns plain data properties instead of defining each one. What a procedure sees
 * must not change: context overrides merge, input parses, and a `__proto__` key stays data (no prototype is
 * touched, no pollution).
 */
describe('tRPC with its option spreading patched', () => {
  const t = initTRPC.context<{ who: string; extra?: unknown }>().create();
  const router = t.router({
    echo: t.procedure
      .use(({ next }) => next({ ctx: { extra: JSON.parse('{"__proto__":{"polluted":true},"kept":1}') } }))
      .use(({ next }) => next({ ctx: { who: 'override' } }))
      .input(z.object({ text: z.string() }))
      .query(({ ctx, input }) => ({ ctx, input })),
  });
  const caller = t.createCallerFactory(router)({ who: 'first' });

  it('merges context overrides and input as before', async () => {
    const { ctx, input } = await caller.echo({ text: 'hi' });
    expect(input).toEqual({ text: 'hi' });
    expect(ctx.who).toBe('override');
    expect((ctx.extra as { kept: number }).kept).toBe(1);
  });

  it('keeps a __proto__ key as data and pollutes no prototype', async () => {
    const { ctx } = await caller.echo({ text: 'hi' });
    const extra = ctx.extra as object;
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.hasOwn(extra, '__proto__')).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect((ctx as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('spreads a context whose own __proto__ key is data without changing its prototype', async () => {
    const spread = t.router({
      read: t.procedure
        .use(({ next }) => next({ ctx: JSON.parse('{"__proto__":{"polluted":true}}') as { who: string } }))
        .query(({ ctx }) => ctx),
    });
    const ctx = await t.createCallerFactory(spread)({ who: 'me' }).read();
    expect(ctx.who).toBe('me');
    expect(Object.getPrototypeOf(ctx)).toBe(Object.prototype);
    expect(Object.hasOwn(ctx, '__proto__')).toBe(true);
    expect((ctx as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

/**
 * The same patch parses a zod input synchronously (zod's compiled fast path runs in synchronous parses only),
 * and asynchronously only when the schema needs it. What a caller sees must not change.
 */
describe('tRPC with zod inputs parsed synchronously first', () => {
  const t = initTRPC.create();
  const trimmedInput = z.object({ text: z.string().trim().min(1) });
  const router = t.router({
    trimmed: t.procedure.input(trimmedInput).query(({ input }) => input.text),
    checkedLater: t.procedure
      .input(z.object({ name: z.string() }).refine(async ({ name }) => name !== 'taken', 'that name is taken'))
      .query(({ input }) => input.name),
  });
  const caller = t.createCallerFactory(router)({});

  it('parses, transforms and refuses as zod does, with the ZodError as the cause', async () => {
    const parse = vi.spyOn(trimmedInput, 'parse');
    const parseAsync = vi.spyOn(trimmedInput, 'parseAsync');
    expect(await caller.trimmed({ text: '  hi  ' })).toBe('hi');
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parseAsync).not.toHaveBeenCalled();
    const refused = await caller.trimmed({ text: '   ' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect((refused as { cause: unknown }).cause).toBeInstanceOf(z.ZodError);
  });

  it('still runs a schema with an asynchronous refinement, through parseAsync', async () => {
    expect(await caller.checkedLater({ name: 'free' })).toBe('free');
    const refused = await caller.checkedLater({ name: 'taken' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect((refused as { cause: z.ZodError }).cause.issues[0]?.message).toBe('that name is taken');
  });
});
