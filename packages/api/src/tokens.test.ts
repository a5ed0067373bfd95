import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenService } from './tokens';

const HOUR = 3_600_000;

describe('the token service', () => {
  afterEach(() => vi.useRealTimers());

  it('answers the same claims for a token verified again (remembered), and refuses a tampered copy', async () => {
    const tokens = createTokenService('a-secret-of-enough-length-for-hs256', 3600);
    const { token, expiresAt } = await tokens.issue('u1', 's1', Date.now() + 2 * HOUR);
    const claims = { userId: 'u1', sessionId: 's1', expiresAt };
    expect(await tokens.verify(token)).toEqual(claims);
    expect(await tokens.verify(token)).toEqual(claims);
    // The signature's first character changed (its last one may carry only padding bits).
    const at = token.lastIndexOf('.') + 1;
    const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    await expect(tokens.verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(createTokenService('another-secret-of-enough-length', 3600).verify(token)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'invalid token',
    });
  });

  it('refuses a remembered token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-03T08:00:00Z'));
    const tokens = createTokenService('a-secret-of-enough-length-for-hs256', 60);
    const { token } = await tokens.issue('u1', 's1', Date.now() + HOUR);
    expect((await tokens.verify(token)).userId).toBe('u1');
    vi.setSystemTime(new Date('2026-12-03T08:01:00Z'));
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /expired/ });
    // Still refused on the next try (it is not remembered as valid again).
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /expired/ });
  });
});
