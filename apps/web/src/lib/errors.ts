import { shortTime } from './time';

/** What the API sends back on failure (tRPC error shape plus Hubbub's zod flattening). */
interface ErrorLike {
  message?: unknown;
  data?: {
    code?: unknown;
    retryAfterMs?: unknown;
    zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null;
  } | null;
}

export type FieldErrors = Record<string, string | undefined>;

function asErrorLike(error: unknown): ErrorLike | null {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : null;
}

/** The tRPC error code ('UNAUTHORIZED', 'CONFLICT', …), if the server sent one. */
export function errorCode(error: unknown): string | null {
  const code = asErrorLike(error)?.data?.code;
  return typeof code === 'string' ? code : null;
}

/** TOO_MANY_REQUESTS: how long until the server would take the call again (ms), if it said. */
export function retryAfterMs(error: unknown): number | null {
  const ms = asErrorLike(error)?.data?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** The first message per field from a BAD_REQUEST's zod details. */
export function fieldErrors(error: unknown): FieldErrors {
  const fields = asErrorLike(error)?.data?.zodError?.fieldErrors ?? {};
  const out: FieldErrors = {};
  for (const [key, messages] of Object.entries(fields)) out[key] = messages?.[0];
  return out;
}

/**
 * A sentence a person can read. Validation errors carry a JSON dump as their
 * message, so they get a summary (the details go under the fields); a fetch
 * that never reached the server says so instead of "Failed to fetch".
 */
export function errorMessage(error: unknown): string {
  const e = asErrorLike(error);
  if (!e) return 'Something went wrong.';
  const zod = e.data?.zodError;
  if (zod) {
    const form = zod.formErrors?.[0];
    if (form) return form;
    const fields = Object.entries(zod.fieldErrors ?? {}).filter(([, m]) => m?.length);
    if (fields.length > 0) return fields.map(([field, m]) => `${field}: ${m?.[0]}`).join(' · ');
    return 'Some fields are not valid.';
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (/failed to fetch|networkerror|load failed/i.test(message)) {
    return 'Could not reach the server. Check your connection and try again.';
  }
  if (!message) return 'Something went wrong.';
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** A message as a sentence: capital first letter, closing full stop ("you logged out" → "You logged out."). */
export function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * errorMessage, and for TOO_MANY_REQUESTS a minute or more away also the
 * clock time to try again ("…: try again in 15 min (at 14:05)").
 */
export function errorMessageWithRetryTime(error: unknown, now: number): string {
  const message = errorMessage(error);
  const wait = errorCode(error) === 'TOO_MANY_REQUESTS' ? retryAfterMs(error) : null;
  if (wait === null || wait < 60_000) return message;
  return `${message} (at ${shortTime(new Date(now + wait).toISOString(), new Date(now))})`;
}
