import { LIMITS } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useEffect, useState } from 'react';
import { errorCode, errorMessage, errorMessageWithRetryTime, type FieldErrors, fieldErrors } from '../../lib/errors';
import { validate } from '../../lib/validation';
import { useTRPC } from '../../trpc';
import { Field } from '../../ui/field';
import { session } from './session';

type Mode = 'login' | 'signup';

/** The form's rules, in a chunk of their own; null when it cannot be fetched (the server checks everything anyway). */
const loadAuthSchemas = () => import('./auth-schemas').catch(() => null);

/**
 * The errors that belong under a field: zod's, and on signup the server's two
 * others, by code: a weak password (the only other BAD_REQUEST) and a taken
 * handle (CONFLICT). The rest (wrong password, throttling) go above the button.
 */
function inlineErrors(mode: Mode, error: unknown): FieldErrors {
  const fields = fieldErrors(error);
  if (Object.values(fields).some(Boolean)) return fields;
  if (mode !== 'signup') return {};
  const code = errorCode(error);
  if (code === 'BAD_REQUEST') return { password: errorMessage(error) };
  if (code === 'CONFLICT') return { handle: errorMessage(error) };
  return {};
}

/** Log in or sign up; one form, two modes. */
export function AuthScreen({ notice }: { notice: string | null }) {
  const trpc = useTRPC();
  const [mode, setMode] = useState<Mode>('login');
  const [values, setValues] = useState({ handle: '', displayName: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  // Errors show in the form, not as toasts.
  const login = useMutation(trpc.auth.login.mutationOptions({ meta: { inlineErrors: true } }));
  const signup = useMutation(trpc.auth.signup.mutationOptions({ meta: { inlineErrors: true } }));
  const active = mode === 'login' ? login : signup;
  useEffect(() => void loadAuthSchemas(), []);

  const set = (key: keyof typeof values) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    if (errors[key]) setErrors((old) => ({ ...old, [key]: undefined }));
  };

  const switchMode = (next: Mode) => {
    setMode(next);
    setErrors({});
    login.reset();
    signup.reset();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input =
      mode === 'login'
        ? { handle: values.handle, password: values.password }
        : { handle: values.handle, password: values.password, displayName: values.displayName.trim() || undefined };
    const schemas = await loadAuthSchemas();
    const checked = schemas
      ? validate<unknown>(mode === 'login' ? schemas.ZLoginInput : schemas.ZSignupInput, input)
      : { ok: true as const, data: input };
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      const result =
        mode === 'login'
          ? await login.mutateAsync(checked.data as Parameters<typeof login.mutateAsync>[0])
          : await signup.mutateAsync(checked.data as Parameters<typeof signup.mutateAsync>[0]);
      session.signIn(result);
    } catch (error) {
      setErrors(inlineErrors(mode, error));
    }
  };

  const serverError = active.error && !Object.values(inlineErrors(mode, active.error)).some(Boolean);
  const title = mode === 'login' ? 'Welcome back' : 'Create your account';

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Hubbub
        </div>
        <p className="auth-tagline">Real-time chat for people and agents.</p>

        <fieldset className="segmented">
          <legend className="visually-hidden">Log in or sign up</legend>
          <button
            type="button"
            aria-pressed={mode === 'login'}
            onClick={() => switchMode('login')}
            data-testid="auth-mode-login"
          >
            Log in
          </button>
          <button
            type="button"
            aria-pressed={mode === 'signup'}
            onClick={() => switchMode('signup')}
            data-testid="auth-mode-signup"
          >
            Sign up
          </button>
        </fieldset>

        <form className="auth-form" onSubmit={submit} noValidate aria-labelledby="auth-title" data-testid="auth-form">
          <h1 id="auth-title">{title}</h1>
          {notice && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
          <Field
            label="Handle"
            name="handle"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={LIMITS.handle.max}
            value={values.handle}
            onChange={set('handle')}
            error={errors.handle}
            hint={mode === 'signup' ? 'Letters, digits, dot, dash or underscore.' : undefined}
            data-testid="auth-handle"
            autoFocus
          />
          {mode === 'signup' && (
            <Field
              label="Display name (optional)"
              name="displayName"
              autoComplete="nickname"
              maxLength={LIMITS.displayName}
              value={values.displayName}
              onChange={set('displayName')}
              error={errors.displayName}
              data-testid="auth-display-name"
            />
          )}
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            maxLength={LIMITS.password.max}
            value={values.password}
            onChange={set('password')}
            error={errors.password}
            hint={mode === 'signup' ? `At least ${LIMITS.password.min} characters.` : undefined}
            data-testid="auth-password"
          />
          {serverError && (
            <p className="form-error" role="alert" data-testid="auth-error">
              {/* Throttled: the clock time to try again, counted from the attempt. */}
              {errorMessageWithRetryTime(active.error, active.submittedAt)}
            </p>
          )}
          <button className="button primary wide" type="submit" disabled={active.isPending} data-testid="auth-submit">
            {active.isPending ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Create account'}
          </button>
        </form>

        <p className="auth-switch">
          {mode === 'login' ? 'New here? ' : 'Already have an account? '}
          <button
            type="button"
            className="link-button"
            onClick={() => switchMode(mode === 'login' ? 'signup' : 'login')}
            data-testid="auth-toggle"
          >
            {mode === 'login' ? 'Create an account' : 'Log in instead'}
          </button>
        </p>
      </div>
    </main>
  );
}
