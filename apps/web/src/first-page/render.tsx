import { renderToString } from 'react-dom/server';
import { appTree } from '../app';
import { EMPTY_AUTH_VALUES } from '../features/auth/auth-form';
import { session } from '../features/auth/session';

/** index.html's server-rendered variants: the page as React renders it before anyone signs in. */
export interface FirstPageHtml {
  login: string;
  signup: string;
  splash: string;
}

/**
 * Renders the app's first screens to HTML at build time (prerender.ts loads
 * this through Vite's SSR): the same tree main.tsx hydrates, so the markup has
 * one source. The session here is the page's module, never started (no
 * window): its view is set to the state each variant shows.
 */
export function renderFirstPage(): FirstPageHtml {
  session.view.set({ status: 'signed-out', notice: null });
  const form = (mode: 'login' | 'signup') =>
    renderToString(appTree({ mode, values: EMPTY_AUTH_VALUES, error: null, submittedAt: 0 }));
  const login = form('login');
  const signup = form('signup');
  session.view.set({ status: 'starting', error: null });
  return { login, signup, splash: renderToString(appTree()) };
}
