import { AuthScreen } from './features/auth/auth-screen';
import { signOut, useSession } from './features/auth/session';
import { SignedIn } from './features/auth/signed-in';
import { HubbubProvider } from './trpc';
import { ToastHost } from './ui/toast-host';

/** Signed out: the login screen. Signed in: the chat. A new token means new clients (keyed provider). */
export function App() {
  const { token, user, notice } = useSession();
  return (
    <>
      <HubbubProvider key={token ?? 'signed-out'} token={token} onUnauthorized={signOut}>
        {token ? <SignedIn initialUser={user} /> : <AuthScreen notice={notice} />}
      </HubbubProvider>
      <ToastHost />
    </>
  );
}
