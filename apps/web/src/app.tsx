import { AppBoundary } from './app-boundary';
import { AuthScreen } from './features/auth/auth-screen';
import { session, useSessionView } from './features/auth/session';
import { Splash } from './features/auth/splash';
import { SignedIn } from './shell/signed-in';
import { HubbubProvider } from './trpc';
import { ToastHost } from './ui/toast-host';

/**
 * Starting: a splash while the cookie says who is signed in. Signed out: the
 * login screen. Signed in: chat and tasks in the app's shell. The provider is
 * keyed by the person, so a new person gets new clients and a renewed token
 * keeps them.
 */
export function App() {
  const view = useSessionView();
  const userId = view.status === 'signed-in' ? view.user.id : null;
  return (
    <AppBoundary>
      {view.status === 'starting' ? (
        <Splash error={view.error} onRetry={() => void session.start()} />
      ) : (
        <HubbubProvider key={userId ?? 'signed-out'} session={userId ? session.accessFor(userId) : null}>
          {view.status === 'signed-in' ? <SignedIn user={view.user} /> : <AuthScreen notice={view.notice} />}
        </HubbubProvider>
      )}
      <ToastHost />
    </AppBoundary>
  );
}
