import { TRPCError } from '@trpc/server';

/**
 * Whether any string in an input holds a NUL character (U+0000). PostgreSQL's text cannot store one, so every
 * input is refused alike, on every store, before it reaches one. Walks with its own stack: an input nested
 * deeper than the call stack (the frame limit allows that) is read, not a stack overflow.
 */
export function containsNul(input: unknown): boolean {
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        if (key.includes('\u0000')) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

export const NUL_REFUSED = 'text may not contain NUL characters (U+0000)';

/**
 * Refuses an input holding a NUL character with a clear BAD_REQUEST. An input that cannot be read (a POST with
 * no body to a procedure that takes none) is left to the procedure: only one with an input reads it.
 */
export async function refuseNul(getRawInput: () => Promise<unknown>): Promise<void> {
  let input: unknown;
  try {
    input = await getRawInput();
  } catch {
    return;
  }
  if (containsNul(input)) throw new TRPCError({ code: 'BAD_REQUEST', message: NUL_REFUSED });
}
