import { lazy, StrictMode, Suspense, useEffect, useState } from 'react';
import { AppBoundary } from './app-boundary';
import { AuthScreen, type AuthStart } from './features/auth/auth-screen';
import { session, useSessionView } from './features/auth/session';
import { Splash } from './features/auth/splash';
import { MARKS } from './first-page/handoff';
import { ToastHost } from './ui/toast-host';

// The signed-in app (chat, Markdown, tasks, and the clients they talk through)
// is its own chunk, so the first page a visitor waits for is only the sign-in
// form. It is fetched as soon as the page is idle, and the splash covers the
// wait for someone already signed in.
const loadSignedIn = () => import('./signed-in-app');
const SignedInApp = lazy(() => loadSignedIn().then((module) => ({ default: module.SignedInApp })));

/**
 * Starting: a splash while the cookie says who is signed in. Signed out: the
 * login screen (starting as `authStart` says). Signed in: chat and tasks in
 * the app's shell, keyed by the person.
 */
export function App(props: { authStart?: AuthStart | undefined }) {
  const view = useSessionView();
  // What the first-page script left is for the first login screen only, never one shown after a sign-out.
  const [authStart, setAuthStart] = useState(props.authStart);
  useEffect(() => {
    if (view.status === 'signed-in') setAuthStart(undefined);
  }, [view.status]);
  useEffect(() => preloadWhenIdle(loadSignedIn), []);
  useEffect(() => void performance.mark(MARKS.reactTookOver), []);
  return (
    <AppBoundary>
      {view.status === 'starting' ? (
        <Splash error={view.error} onRetry={() => void session.start()} />
      ) : view.status === 'signed-in' ? (
        <Suspense fallback={<Splash error={null} onRetry={() => {}} />}>
          <SignedInApp key={view.user.id} user={view.user} />
        </Suspense>
      ) : (
        <AuthScreen notice={view.notice} start={authStart} />
      )}
      <ToastHost />
    </AppBoundary>
  );
}

/** The whole page, as main.tsx renders or hydrates it and prerender.ts renders it at build time: one tree for both. */
export function appTree(authStart?: AuthStart) {
  return (
    <StrictMode>
      <App authStart={authStart} />
    </StrictMode>
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
