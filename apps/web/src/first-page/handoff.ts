import type { AuthStart } from '../features/auth/auth-screen';
import type { Grant } from '../features/auth/session-controller';

/**
 * The contract between the first-page script (inlined in index.html, runs
 * the server-rendered form) and React (main.tsx, takes the form over).
 */

/**
 * The form as the person left it when React took over: where React's form starts (mode, values, the last
 * attempt's error and when it was sent), and what only the page needs to know.
 */
export interface FirstPageState extends AuthStart {
  /** Whether #root still holds the server-rendered form (not the splash shown to someone signed in). */
  formOnPage: boolean;
  /** A sign-in or sign-up that succeeded before React arrived. */
  grant: Grant | null;
}

export interface FirstPageForm {
  /** Waits for an attempt in flight, stops the script's handlers and hands over the form's state. */
  takeOver(): Promise<FirstPageState>;
}

declare global {
  interface Window {
    hubbubFirstPage?: FirstPageForm;
  }
}

/** The server-rendered variants the script swaps into #root (index.html's <template> ids). */
export const TEMPLATE_IDS = {
  login: 'first-page-login',
  signup: 'first-page-signup',
  splash: 'first-page-splash',
} as const;

/** Performance marks, read by the first-load bench (apps/e2e/src/measure/first-load.ts). */
export const MARKS = {
  /** The form's handlers are attached: typing and submitting work. */
  formUsable: 'hubbub:form-usable',
  /** React has rendered (hydrated or replaced) the page. */
  reactTookOver: 'hubbub:react-took-over',
} as const;
