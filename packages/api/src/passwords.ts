import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { FairQueue } from './fair-queue';

const N = 16384;
const r = 8;
const p = 1;
const KEY_LENGTH = 32;

type Derive = (password: string, salt: Buffer, n: number, rr: number, pp: number) => Promise<Buffer>;

function derive(password: string, salt: Buffer, n: number, rr: number, pp: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: n, r: rr, p: pp, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** "scrypt$N$r$p$salt$hash", so the cost can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Verified against for unknown handles, so a login takes as long whether or not the handle exists. */
export const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA$8wJ0c4dd4u1WqW3Q7pB0vTqzX7bC2bQm4sS2hC1pYcY';

/**
 * True when `password` matches `stored`. Anything that is not a scrypt hash
 * of ours (an agent identity's "!", a damaged row) still costs one full
 * derivation and answers false: how long a login takes never tells which.
 */
export async function verifyPassword(password: string, stored: string, derivation: Derive = derive): Promise<boolean> {
  const usable = isOurHash(stored);
  const [, n, rr, pp, salt, hash] = (usable ? stored : DUMMY_HASH).split('$');
  const expected = Buffer.from(hash as string, 'base64url');
  const key = await derivation(password, Buffer.from(salt as string, 'base64url'), Number(n), Number(rr), Number(pp));
  return usable && key.length === expected.length && timingSafeEqual(key, expected);
}

/** A scrypt hash in our format, with a cost we accept (at least today's, at most one a server can afford). */
function isOurHash(stored: string): boolean {
  const [scheme, n, rr, pp, salt, hash, ...rest] = stored.split('$');
  const within = (value: string | undefined, min: number, max: number) =>
    Number.isInteger(Number(value)) && Number(value) >= min && Number(value) <= max;
  return (
    scheme === 'scrypt' &&
    rest.length === 0 &&
    within(n, N, 2 ** 20) &&
    within(rr, 1, 32) &&
    within(pp, 1, 16) &&
    Boolean(salt) &&
    Boolean(hash)
  );
}

export interface PasswordHasher {
  hash(password: string, clientKey: string): Promise<string>;
  verify(password: string, stored: string, clientKey: string): Promise<boolean>;
}

/**
 * Password hashing through a fair queue: scrypt runs on libuv's small thread
 * pool, so without a bound one client's burst of logins would queue in front
 * of everyone's (and of every other pool user: files, DNS). At most
 * `concurrency` hashes run at once, clients take turns, and a client with
 * more than a few waiting is told to slow down.
 */
export function createPasswordHasher(options: { concurrency?: number; perClient?: number } = {}): PasswordHasher {
  const queue = new FairQueue({
    concurrency: options.concurrency ?? 2,
    perKey: options.perClient ?? 16,
    maxWaiting: 1000,
    busyMessage: 'too many sign-ins at once: wait a moment and try again',
  });
  return {
    hash: (password, clientKey) => queue.run(clientKey, () => hashPassword(password)),
    verify: (password, stored, clientKey) => queue.run(clientKey, () => verifyPassword(password, stored)),
  };
}
