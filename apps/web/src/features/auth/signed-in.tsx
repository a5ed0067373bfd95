import type { User } from '@hubbub/core';
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { ChatShell } from '../chat/chat-shell';
import { ChatLiveProvider } from '../chat/live-context';
import { signOut } from './session';

/** Resolves who the token belongs to (auth.me), then shows the app. */
export function SignedIn({ initialUser }: { initialUser: User | null }) {
  const trpc = useTRPC();
  const me = useQuery(
    trpc.auth.me.queryOptions(undefined, {
      initialData: initialUser ?? undefined,
      staleTime: Number.POSITIVE_INFINITY,
    }),
  );

  if (me.data) {
    return (
      <ChatLiveProvider userId={me.data.id}>
        <ChatShell me={me.data} />
      </ChatLiveProvider>
    );
  }
  if (me.isError) {
    return (
      <main className="splash" role="alert">
        <h1>Can’t load your account</h1>
        <p>{errorMessage(me.error)}</p>
        <div className="row">
          <button type="button" className="button primary" onClick={() => me.refetch()}>
            Try again
          </button>
          <button type="button" className="button" onClick={() => signOut()}>
            Log out
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="splash" aria-busy="true">
      <p>Loading Hubbub…</p>
    </main>
  );
}
