/** What the API sends back on failure (tRPC error shape plus Hubbub's zod flattening). */
interface ErrorLike {
  message?: unknown;
  data?: {
    code?: unknown;
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
