import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containsNul, NUL_REFUSED } from './nul-text';
import { createTestApp, refusal, type TestApp } from './test/app';

/**
 * Text with a NUL character (U+0000) is refused in every input, signed in or not, with a clear error: PostgreSQL
 * cannot store one, and SQLite would, so both stores see the same API.
 */

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(async () => {
  await app.close();
});

describe('NUL characters in inputs', () => {
  it('are refused as BAD_REQUEST wherever they are, and nothing is stored', async () => {
    const { call } = await app.person('ada');
    const general = (await call.channel.list()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general channel');
    const refusals = [
      await refusal(() => call.message.send({ channelId: general.id, content: 'before \u0000 after' })),
      await refusal(() => call.channel.create({ slug: 'dev', name: 'Dev\u0000' })),
      // Deep in a task's free-form JSON input, as a value and as a key.
      await refusal(() => call.task.create({ title: 'job', input: { steps: [{ note: ['a', 'b\u0000'] }] } })),
      await refusal(() => call.task.create({ title: 'job', input: { 'k\u0000': 1 } })),
      // Before anything else, for a signed-out caller too.
      await refusal(() => app.anonymous().auth.signup({ handle: 'bob', password: 'a long enough pass\u0000phrase' })),
    ];
    expect(refusals).toEqual(refusals.map(() => ({ code: 'BAD_REQUEST', message: NUL_REFUSED })));
    expect((await call.message.history({ channelId: general.id })).items).toEqual([]);
    expect((await call.channel.list()).items.map((c) => c.slug)).toEqual(['general']);
  });

  it('are told apart from text that only spells one out', async () => {
    const { call } = await app.person('ada');
    const dev = await call.channel.create({ slug: 'dev', name: 'Dev' });
    const message = await call.message.send({ channelId: dev.id, content: 'C strings end in \\u0000 or \\0' });
    expect(message.content).toBe('C strings end in \\u0000 or \\0');
  });

  it('are found at any depth without running out of stack', () => {
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(containsNul(deep)).toBe(true);
    expect(containsNul({ a: [1, null, true, { b: 'plain' }] })).toBe(false);
  });
});
