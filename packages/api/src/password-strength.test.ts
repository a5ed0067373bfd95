import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createStrengthChecker } from './password-strength';

const checker = createStrengthChecker();
afterAll(() => checker.close());

const refusal = (password: string, handle = 'alice') =>
  checker.assertStrong(password, [handle]).then(
    () => null,
    (error: Error & { code?: string }) => ({ code: error.code, message: error.message }),
  );

describe('password strength', () => {
  it.each([
    ['a famous password', 'password'],
    ['a digit run', '12345678'],
    ['eight spaces', '        '],
    ['the handle itself', 'alice'],
    ['the handle in capitals', 'ALICE'],
    ['a keyboard row', 'qwertyuiop'],
    ['a common password with a digit', 'letmein2024'],
    ['leet speak of a common password', 'p@ssw0rd!'],
    ['one repeated character', 'aaaaaaaaaaaa'],
  ])('refuses %s with a readable reason', async (_label, password) => {
    const refused = await refusal(password);
    expect(refused?.code).toBe('BAD_REQUEST');
    expect(refused?.message).toMatch(/^Choose a stronger password/);
    expect(refused?.message.length).toBeGreaterThan('Choose a stronger password.'.length);
  });

  it.each([
    ['a passphrase', 'correct horse battery'],
    ['a short phrase', 'a good password'],
    ['a mixed password', 'Tr0ub4dor&3'],
    ['a long random string', 'kZ8#q!vP2@wL9$mN4^xR7&tY1*uB6(eH3)'],
  ])('accepts %s', async (_label, password) => {
    expect(await refusal(password)).toBeNull();
  });

  it('answers many checks at once, each with its own verdict', async () => {
    const verdicts = await Promise.all(
      ['password', 'correct horse battery', '12345678', 'a good password'].map((p) => refusal(p)),
    );
    expect(verdicts.map((v) => v === null)).toEqual([false, true, false, true]);
  });

  it('lets its worker go when idle and loads it again for the next check', async () => {
    const idle = createStrengthChecker({ idleMs: 100 });
    onTestFinished(() => idle.close());
    expect(idle.loaded).toBe(false);
    await expect(idle.assertStrong('correct horse battery', [])).resolves.toBeUndefined();
    expect(idle.loaded).toBe(true);
    await vi.waitFor(() => expect(idle.loaded).toBe(false), { timeout: 5_000 });
    await expect(idle.assertStrong('password', [])).rejects.toThrow(/^Choose a stronger password/);
    expect(idle.loaded).toBe(true);
  });

  it('keeps its worker while checks keep coming', async () => {
    const busy = createStrengthChecker({ idleMs: 1_000 });
    onTestFinished(() => busy.close());
    // Longer than the idle time in all: each answer starts its clock again.
    for (let i = 0; i < 15; i++) {
      await busy.assertStrong('correct horse battery', []);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(busy.loaded).toBe(true);
    }
  });

  it('fails the checks still waiting when it is closed', async () => {
    const closing = createStrengthChecker();
    const refused = expect(closing.assertStrong('correct horse battery', [])).rejects.toThrow(
      'the password checker was closed',
    );
    await closing.close();
    await refused;
    expect(closing.loaded).toBe(false);
    // Closed is not broken: a later check loads it again.
    await expect(closing.assertStrong('correct horse battery', [])).resolves.toBeUndefined();
    await closing.close();
  });
});
