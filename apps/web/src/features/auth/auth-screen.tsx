import { LIMITS } from '@hubbub/core';
import { type ChangeEvent, type FormEvent, useEffect, useRef, useState } from 'react';
import { errorMessageWithRetryTime, type FieldErrors } from '../../lib/errors';
import { validate } from '../../lib/validation';
import { Field } from '../../ui/field';
import {
  type AuthMode,
  type AuthValues,
  authInput,
  EMPTY_AUTH_VALUES,
  hasInlineErrors,
  inlineErrors,
  sendAuth,
} from './auth-form';
import { session } from './session';

/** Where the form starts: what the first-page script left (mode, typed values, its last error), or empty. */
export interface AuthStart {
  mode: AuthMode;
  values: AuthValues;
  error: unknown;
  submittedAt: number;
}

interface Attempt {
  pending: boolean;
  error: unknown;
  submittedAt: number;
}

const IDLE: Attempt = { pending: false, error: null, submittedAt: 0 };

/** The form's rules, in a chunk of their own; null when it cannot be fetched (the server checks everything anyway). */
const loadAuthSchemas = () => import('./auth-schemas').catch(() => null);

/**
 * Log in or sign up; one form, two modes. Rendered at build time too (both
 * modes, apps/web/prerender.ts): the page's first HTML is this markup, run by
 * the first-page script until React hydrates it, so `data-auth-mode` marks
 * the controls that switch modes for that script.
 */
export function AuthScreen({ notice, start }: { notice: string | null; start?: AuthStart | undefined }) {
  const [mode, setMode] = useState<AuthMode>(start?.mode ?? 'login');
  const [values, setValues] = useState<AuthValues>(start?.values ?? EMPTY_AUTH_VALUES);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempt, setAttempt] = useState<Attempt>(IDLE);
  // Bumped by a mode switch: the answer to an attempt made before it is no longer shown.
  const round = useRef(0);
  useEffect(() => void loadAuthSchemas(), []);
  // The first-page script's failed attempt: shown once hydration has matched the server's markup (which has no errors).
  useEffect(() => {
    if (!start?.error) return;
    setAttempt({ pending: false, error: start.error, submittedAt: start.submittedAt });
    setErrors(inlineErrors(start.mode, start.error));
  }, [start]);

  const set = (key: keyof AuthValues) => (e: ChangeEvent<HTMLInputElement>) => {
    setValues((v) => ({ ...v, [key]: e.target.value }));
    if (errors[key]) setErrors((old) => ({ ...old, [key]: undefined }));
  };

  const switchMode = (next: AuthMode) => {
    round.current++;
    setMode(next);
    setErrors({});
    setAttempt(IDLE);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (attempt.pending) return;
    const input = authInput(mode, values);
    const schemas = await loadAuthSchemas();
    const checked = schemas
      ? validate<unknown>(mode === 'login' ? schemas.ZLoginInput : schemas.ZSignupInput, input)
      : { ok: true as const, data: input };
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    const sentIn = round.current;
    const submittedAt = Date.now();
    setAttempt({ pending: true, error: null, submittedAt });
    try {
      session.signIn(await sendAuth(mode, checked.data as typeof input));
    } catch (error) {
      if (sentIn !== round.current) return;
      setAttempt({ pending: false, error, submittedAt });
      setErrors(inlineErrors(mode, error));
    }
  };

  const serverError = attempt.error !== null && !hasInlineErrors(mode, attempt.error);
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
            data-auth-mode="login"
            onClick={() => switchMode('login')}
            data-testid="auth-mode-login"
          >
            Log in
          </button>
          <button
            type="button"
            aria-pressed={mode === 'signup'}
            data-auth-mode="signup"
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
              {errorMessageWithRetryTime(attempt.error, attempt.submittedAt)}
            </p>
          )}
          <button className="button primary wide" type="submit" disabled={attempt.pending} data-testid="auth-submit">
            {attempt.pending ? 'Please wait…' : mode === 'login' ? 'Log in' : 'Create account'}
          </button>
        </form>

        <p className="auth-switch">
          {mode === 'login' ? 'New here? ' : 'Already have an account? '}
          <button
            type="button"
            className="link-button"
            data-auth-mode={mode === 'login' ? 'signup' : 'login'}
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
