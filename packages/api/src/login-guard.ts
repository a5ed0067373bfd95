import type { AppDeps } from './context';
import { take } from './limits';

/** Attempts on a handle answered at full speed; after these, each answer waits longer. */
const FREE_ATTEMPTS = 3;

/** How long to hold the answer to a sign-in after `previous` unsuccessful attempts on the handle. */
export function loginDelayMs(previous: number): number {
  if (previous < FREE_ATTEMPTS) return 0;
  return Math.min(8_000, 500 * 2 ** (previous - FREE_ATTEMPTS));
}

/**
 * Stands before every password check of a login. Attempts are counted per
 * handle (a success clears them) and per client address (it never does),
 * before the check, so parallel guesses count too; the handle's answers slow
 * down after a few, then stop with TOO_MANY_REQUESTS and when to retry. An
 * unknown handle is counted and slowed exactly like a real one.
 */
export async function guardLogin(
  deps: AppDeps,
  handle: string,
  address: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ succeeded(): Promise<void> }> {
  const { loginsByAddress, loginsByHandle } = deps.rateLimits;
  await take(loginsByAddress, address, 'too many sign-in attempts from your network');
  const previous = await loginsByHandle.used(handle);
  await take(loginsByHandle, handle, 'too many failed sign-ins for this handle');
  const delay = loginDelayMs(previous);
  if (delay > 0) await sleep(delay);
  return { succeeded: () => loginsByHandle.reset(handle) };
}
