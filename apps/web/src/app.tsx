import { lazy, Suspense, useEffect } from 'react';
import { AppBoundary } from './app-boundary';
import { AuthScreen } from './features/auth/auth-screen';
import { session, useSessionView } from './features/auth/session';
import { Splash } from './features/auth/splash';
import { HubbubProvider } from './trpc';
import { ToastHost } from './ui/toast-host';

// The signed-in app (chat, Markdown, tasks) is its own chunk, so the first page
// a visitor waits for is only the sign-in form. It is fetched as soon as the
// page is idle, and the splash covers the wait for someone already signed in.
const loadSignedIn = () => import('./shell/signed-in');
const SignedIn = lazy(() => loadSignedIn().then((module) => ({ default: module.SignedIn })));

/**
 * Starting: a splash while the cookie says who is signed in. Signed out: the
 * login screen. Signed in: chat and tasks in the app's shell. The provider is
 * keyed by the person, so a new person gets new clients and a renewed token
 * keeps them.
 */
export function App() {
  const view = useSessionView();
  const userId = view.status === 'signed-in' ? view.user.id : null;
  useEffect(() => preloadWhenIdle(loadSignedIn), []);
  return (
    <AppBoundary>
      {view.status === 'starting' ? (
        <Splash error={view.error} onRetry={() => void session.start()} />
      ) : (
        <HubbubProvider key={userId ?? 'signed-out'} session={userId ? session.accessFor(userId) : null}>
          {view.status === 'signed-in' ? (
            <Suspense fallback={<Splash error={null} onRetry={() => {}} />}>
              <SignedIn user={view.user} />
            </Suspense>
          ) : (
            <AuthScreen notice={view.notice} />
          )}
        </HubbubProvider>
      )}
      <ToastHost />
    </AppBoundary>
  );
}

/** Starts a chunk's download once the browser has nothing more urgent to do. */
function preloadWhenIdle(load: () => Promise<unknown>): () => void {
  const start = () => void load().catch(() => {});
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(start, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(start, 200);
  return () => clearTimeout(id);
}
