import { asSentence, errorCode, errorMessage } from '../../lib/errors';
import { useStore } from '../../lib/store';
import { callAuth } from './auth-request';
import { type AuthApi, SessionController, type SessionView, type TabMessage } from './session-controller';
import { signedInHint } from './signed-in-hint';

export type { Grant, SessionAccess, SessionView } from './session-controller';

/** Where the token used to live, before it moved to memory: removed on sight. */
const LEGACY_TOKEN_KEY = 'hubbub.token';
const TAB_CHANNEL = 'hubbub.session';

/** auth.* over plain HTTP, outside the React clients (which are rebuilt per person); the cookie rides along. */
function createAuthApi(): AuthApi {
  return {
    refresh: (bearer) => callAuth('refresh', undefined, bearer),
    logout: (bearer) => callAuth('logout', undefined, bearer),
    // `{}`, not undefined: the server reads the body of a procedure with an input, and an empty one is not JSON.
    logoutAll: (bearer) => callAuth('logoutAll', {}, bearer),
  };
}

function openTabChannel(): BroadcastChannel | null {
  try {
    return typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(TAB_CHANNEL);
  } catch {
    return null;
  }
}

function removeLegacyToken(): void {
  try {
    localStorage.removeItem(LEGACY_TOKEN_KEY);
    sessionStorage.removeItem(LEGACY_TOKEN_KEY);
  } catch {
    // Storage disabled: then nothing was stored either.
  }
}

const tabs = typeof window === 'undefined' ? null : openTabChannel();

/** This tab's sign-in (a module singleton: one per page, like the cookie it rests on). */
export const session = new SessionController({
  api: typeof window === 'undefined' ? unavailableApi() : createAuthApi(),
  clock: {
    now: () => Date.now(),
    setTimeout: (run, ms) => setTimeout(run, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
  },
  announce: (message) => tabs?.postMessage(message),
  isRefusal: (error) => errorCode(error) === 'UNAUTHORIZED',
  describe: (error) => asSentence(errorMessage(error)),
  hint: signedInHint,
});

function unavailableApi(): AuthApi {
  const fail = () => Promise.reject(new Error('no browser: nothing to sign in to'));
  return { refresh: fail, logout: fail, logoutAll: fail };
}

if (typeof window !== 'undefined') {
  removeLegacyToken();
  tabs?.addEventListener('message', (event: MessageEvent<TabMessage>) => session.onTabMessage(event.data));
  // A sleeping laptop or a throttled background tab runs its timers late: check on the way back.
  const wake = () => session.wake();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wake();
  });
  window.addEventListener('online', wake);
  window.addEventListener('focus', wake);
  void session.start();
}

export function useSessionView(): SessionView {
  return useStore(session.view, (view) => view);
}
