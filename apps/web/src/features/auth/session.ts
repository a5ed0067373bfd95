import type { User } from '@hubbub/core';
import { createStore, useStore } from '../../lib/store';

const TOKEN_KEY = 'hubbub.token';

export interface Session {
  token: string | null;
  /** Known right after login/signup; otherwise loaded with auth.me. */
  user: User | null;
  /** Why the last session ended, shown on the login screen. */
  notice: string | null;
}

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function writeToken(token: string | null) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Private mode or storage disabled: the session lasts for this tab only.
  }
}

export const session = createStore<Session>({ token: readToken(), user: null, notice: null });

export function signIn(token: string, user: User) {
  writeToken(token);
  session.set({ token, user, notice: null });
}

export function signOut(notice: string | null = null) {
  if (!session.get().token) return;
  writeToken(null);
  session.set({ token: null, user: null, notice });
}

// Logging in or out in another tab changes this one too.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== TOKEN_KEY) return;
    const token = event.newValue;
    if (token !== session.get().token) session.set({ token, user: null, notice: null });
  });
}

export function useSession(): Session {
  return useStore(session, (s) => s);
}
