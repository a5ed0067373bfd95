import type { FieldErrors } from './errors';

/** The parts of a zod issue we read; typed structurally so the app needs no zod import of its own. */
interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
}

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } };
}

function friendly(issue: Issue): string {
  if (issue.code === 'too_small') {
    return Number(issue.minimum) <= 1 ? 'Required.' : `At least ${issue.minimum} characters.`;
  }
  if (issue.code === 'too_big') return `At most ${issue.maximum} characters.`;
  // Custom messages from the shared schemas ("use letters, digits, …") read well as they are.
  const text = issue.message;
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}

/**
 * Checks a form against the same zod schema the server uses (from
 * @hubbub/core), so both sides agree on every rule; messages are reworded
 * for people.
 */
export function validate<T>(
  schema: Schema<T>,
  values: unknown,
): { ok: true; data: T } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    errors[key] ??= friendly(issue);
  }
  return { ok: false, errors };
}
