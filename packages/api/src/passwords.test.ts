import { describe, expect, it } from 'vitest';
import { createPasswordHasher, DUMMY_HASH, hashPassword, verifyPassword } from './passwords';

/** A derivation that counts its calls and costs what the real one costs. */
function countingDerive() {
  const calls: number[] = [];
  return {
    calls,
    derive: async (_password: string, _salt: Buffer, n: number) => {
      calls.push(n);
      return Buffer.alloc(32);
    },
  };
}

describe('passwords', () => {
  it('verifies what it hashed, and nothing else', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it.each([
    ['an API key identity', '!'],
    ['an empty value', ''],
    ['a damaged row', 'scrypt$16384$8$1$onlysalt'],
    ['a cost too small to be ours', 'scrypt$2$1$1$c2FsdA$aGFzaA'],
    ['a cost no server could pay', 'scrypt$4294967296$8$1$c2FsdA$aGFzaA'],
  ])('answers false for %s after the same full derivation as a real check', async (_label, stored) => {
    const counted = countingDerive();
    expect(await verifyPassword('a guess', stored, counted.derive)).toBe(false);
    expect(counted.calls).toEqual([16384]);
  });

  it('has a dummy hash that is a real one (unknown handles cost the same)', async () => {
    const counted = countingDerive();
    await verifyPassword('a guess', DUMMY_HASH, counted.derive);
    expect(counted.calls).toEqual([16384]);
  });

  it('hashes through a fair queue per client', async () => {
    const hasher = createPasswordHasher({ concurrency: 1, perClient: 1 });
    const first = hasher.hash('one', 'client-a');
    const second = hasher.hash('two', 'client-a');
    await expect(hasher.hash('three', 'client-a')).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(await hasher.verify('one', await first, 'client-b')).toBe(true);
    expect(await hasher.verify('two', await second, 'client-b')).toBe(true);
  });
});
