import type { AppRouter } from '@hubbub/api';
import type { inferRouterInputs } from '@trpc/server';
import type { Grant } from './session-controller';

type AuthInputs = inferRouterInputs<AppRouter>['auth'];
export type LoginInput = AuthInputs['login'];
export type SignupInput = AuthInputs['signup'];

/** A call the server answered with an error: its message and its tRPC error data, as lib/errors reads them. */
export class AuthCallError extends Error {
  constructor(
    message: string,
    readonly data: Record<string, unknown> | null,
  ) {
    super(message);
    this.name = 'AuthCallError';
  }
}

/**
 * One auth.* mutation over plain HTTP (tRPC's single-call wire format: POST
 * /trpc/<path>, the input as the JSON body, `{ result: { data } }` or
 * `{ error: { message, data } }` back). A fetch, not @trpc/client: the
 * sign-in form's first-page script shares it, and must stay a few KB. A
 * failure to reach the server rejects with fetch's own TypeError.
 */
export async function callAuth<T>(
  procedure: 'login' | 'signup' | 'refresh' | 'logout' | 'logoutAll',
  input?: unknown,
  bearer?: string | null,
): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(`/trpc/auth.${procedure}`, {
    method: 'POST',
    headers,
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  const body = (await response.json().catch(() => null)) as {
    result?: { data?: unknown };
    error?: { message?: unknown; data?: Record<string, unknown> | null };
  } | null;
  if (response.ok && body?.result) return body.result.data as T;
  const message = typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${response.status}`;
  throw new AuthCallError(message, body?.error?.data ?? { httpStatus: response.status });
}

export const login = (input: LoginInput) => callAuth<Grant>('login', input);
export const signup = (input: SignupInput) => callAuth<Grant>('signup', input);
