/*
 * The first-page script: inlined in index.html (see apps/web/prerender.ts), it
 * runs as soon as the server-rendered form is parsed, long before React's
 * bundle arrives on a slow line. It
 * - puts the server-rendered log-in form in #root, or the splash for someone
 *   signed in (the form never appears for them; React then decides, as
 *   before, from the cookie);
 * - switches between the log-in and sign-up variants (both rendered at build
 *   time by the React screen itself: no markup here);
 * - submits through the real API (the same request code as the React screen),
 *   showing errors with the browser's own validation bubbles;
 * - hands the form's state to React (window.hubbubFirstPage.takeOver()).
 */
import {
  type AuthMode,
  type AuthValues,
  authInput,
  EMPTY_AUTH_VALUES,
  inlineErrors,
  sendAuth,
} from '../features/auth/auth-form';
import type { Grant } from '../features/auth/session-controller';
import { signedInHint } from '../features/auth/signed-in-hint';
import { errorMessage } from '../lib/errors';
import { type FirstPageState, MARKS, TEMPLATE_IDS } from './handoff';

const root = document.getElementById('root') as HTMLElement;
const FIELDS: (keyof AuthValues)[] = ['handle', 'displayName', 'password'];

let mode: AuthMode = 'login';
let grant: Grant | null = null;
let error: unknown = null;
let submittedAt = 0;
let pending: Promise<void> | null = null;

const form = () => root.querySelector('form');
const field = (name: string) => {
  const element = form()?.elements.namedItem(name);
  return element instanceof HTMLInputElement ? element : null;
};
const submitButton = () => form()?.querySelector<HTMLButtonElement>('button[type="submit"]') ?? null;

/** What was typed; a field the current mode does not show keeps its last value (the display name, as in React). */
const typed: AuthValues = { ...EMPTY_AUTH_VALUES };

function readValues(): AuthValues {
  for (const name of FIELDS) {
    const input = field(name);
    if (input) typed[name] = input.value;
  }
  return { ...typed };
}

function showVariant(id: string): boolean {
  const template = document.getElementById(id);
  if (!(template instanceof HTMLTemplateElement)) return false;
  root.replaceChildren(template.content.cloneNode(true));
  return true;
}

function clearValidity(): void {
  for (const name of FIELDS) field(name)?.setCustomValidity('');
  submitButton()?.setCustomValidity('');
}

/** The other variant, with what was typed carried over and focus kept on the control that switched. */
function switchTo(next: AuthMode, focusTestId: string | undefined): void {
  if (next === mode) return;
  const values = readValues();
  if (!showVariant(TEMPLATE_IDS[next])) return;
  mode = next;
  error = null;
  for (const name of FIELDS) {
    const input = field(name);
    if (input) input.value = values[name];
  }
  if (focusTestId) root.querySelector<HTMLElement>(`[data-testid="${focusTestId}"]`)?.focus();
}

/** Errors under their field, the rest on the button: the browser's bubbles until React shows them in the form. */
function report(error: unknown): void {
  const fields = Object.entries(inlineErrors(mode, error)).filter(([, message]) => message);
  for (const [name, message] of fields) field(name)?.setCustomValidity(message as string);
  if (fields.length === 0) submitButton()?.setCustomValidity(errorMessage(error));
  form()?.reportValidity();
}

function onClick(event: Event): void {
  const control = (event.target as Element).closest<HTMLElement>('[data-auth-mode]');
  const next = control?.dataset.authMode;
  if (!pending && (next === 'login' || next === 'signup')) switchTo(next, control?.dataset.testid);
}

function onInput(event: Event): void {
  if (event.target instanceof HTMLInputElement) event.target.setCustomValidity('');
  submitButton()?.setCustomValidity('');
}

function onSubmit(event: Event): void {
  event.preventDefault();
  if (pending || grant) return;
  clearValidity();
  const button = submitButton();
  if (button) button.disabled = true;
  const sentMode = mode;
  submittedAt = Date.now();
  pending = sendAuth(sentMode, authInput(sentMode, readValues())).then(
    (granted) => {
      // Signed in: the button stays disabled until React shows the app.
      grant = granted;
      error = null;
      pending = null;
    },
    (failed: unknown) => {
      error = failed;
      pending = null;
      if (button) button.disabled = false;
      report(failed);
    },
  );
}

async function takeOver(): Promise<FirstPageState> {
  while (pending) await pending;
  root.removeEventListener('click', onClick);
  root.removeEventListener('input', onInput);
  root.removeEventListener('submit', onSubmit);
  clearValidity();
  return { formOnPage: form() !== null, mode, values: readValues(), grant, error, submittedAt };
}

window.hubbubFirstPage = { takeOver };
// Someone signed in gets the splash, as React would show it, and no form to run.
if (!(signedInHint.read() && showVariant(TEMPLATE_IDS.splash)) && showVariant(TEMPLATE_IDS.login)) {
  root.addEventListener('click', onClick);
  root.addEventListener('input', onInput);
  root.addEventListener('submit', onSubmit);
  performance.mark(MARKS.formUsable);
}
