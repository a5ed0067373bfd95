import { errorCode, errorMessage, type FieldErrors, fieldErrors } from '../../lib/errors';
import { type LoginInput, login, type SignupInput, signup } from './auth-request';
import type { Grant } from './session-controller';

/**
 * The sign-in form's logic without its markup: shared by the React screen
 * and the first-page script that runs the server-rendered form until React
 * takes over, so both send the same request and read errors the same way.
 */
export type AuthMode = 'login' | 'signup';

export interface AuthValues {
  handle: string;
  displayName: string;
  password: string;
}

export const EMPTY_AUTH_VALUES: AuthValues = { handle: '', displayName: '', password: '' };

/** What the form sends for a mode: the display name only on signup, blank meaning "use the handle". */
export function authInput(mode: AuthMode, values: AuthValues): LoginInput | SignupInput {
  return mode === 'login'
    ? { handle: values.handle, password: values.password }
    : { handle: values.handle, password: values.password, displayName: values.displayName.trim() || undefined };
}

/** auth.login or auth.signup with an input already built (and, in React, checked) for that mode. */
export function sendAuth(mode: AuthMode, input: LoginInput | SignupInput): Promise<Grant> {
  return mode === 'login' ? login(input as LoginInput) : signup(input as SignupInput);
}

/**
 * The errors that belong under a field: zod's, and on signup the server's two
 * others, by code: a weak password (the only other BAD_REQUEST) and a taken
 * handle (CONFLICT). The rest (wrong password, throttling) go above the button.
 */
export function inlineErrors(mode: AuthMode, error: unknown): FieldErrors {
  const fields = fieldErrors(error);
  if (Object.values(fields).some(Boolean)) return fields;
  if (mode !== 'signup') return {};
  const code = errorCode(error);
  if (code === 'BAD_REQUEST') return { password: errorMessage(error) };
  if (code === 'CONFLICT') return { handle: errorMessage(error) };
  return {};
}

export const hasInlineErrors = (mode: AuthMode, error: unknown) =>
  Object.values(inlineErrors(mode, error)).some(Boolean);
