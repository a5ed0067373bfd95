import type { AppRouter } from '@hubbub/api';
import { createTRPCClient, httpLink } from '@trpc/client';
import { asSentence, errorCode, errorMessage } from '../../lib/errors';
import { useStore } from '../../lib/store';
import { type AuthApi, SessionController, type SessionView, type TabMessage } from './session-controller';

export type { Grant, SessionAccess, SessionView } from './session-controller';

/** Where the token used to live, before it moved to memory: removed on sight. */
const LEGACY_TOKEN_KEY = 'hubbub.token';
/** '1' while this browser has a sign-in (no secret: the cookie is the credential, and scripts cannot read it). */
const SIGNED_IN_HINT_KEY = 'hubbub.signed-in';
const TAB_CHANNEL = 'hubbub.session';

/** auth.* over plain HTTP, outside the React clients (which are rebuilt per person); `bearer` rides in the op context. */
function createAuthApi(): AuthApi {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${window.location.protocol}//${window.location.host}/trpc`,
        headers: ({ op }) =>
          typeof op.context.bearer === 'string' ? { authorization: `Bearer ${op.context.bearer}` } : {},
      }),
    ],
  });
  return {
    refresh: (bearer) => client.auth.refresh.mutate(undefined, { context: { bearer } }),
    logout: (bearer) => client.auth.logout.mutate(undefined, { context: { bearer } }),
    // `{}`, not undefined: the server reads the body of a procedure with an input, and an empty one is not JSON.
    logoutAll: (bearer) => client.auth.logoutAll.mutate({}, { context: { bearer } }),
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

/** null when storage is unavailable: then the server is asked every time. */
const signedInHint = {
  read(): boolean | null {
    try {
      return localStorage.getItem(SIGNED_IN_HINT_KEY) === '1';
    } catch {
      return null;
    }
  },
  write(signedIn: boolean): void {
    try {
      if (signedIn) localStorage.setItem(SIGNED_IN_HINT_KEY, '1');
      else localStorage.removeItem(SIGNED_IN_HINT_KEY);
    } catch {
      // Storage disabled: read() says "unknown" and the server is asked.
    }
  },
};

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
