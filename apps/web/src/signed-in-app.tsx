import type { User } from '@hubbub/core';
import { session } from './features/auth/session';
import { SignedIn } from './shell/signed-in';
import { HubbubProvider } from './trpc';

/**
 * The signed-in app with its clients (tRPC, React Query, the socket): one
 * lazy chunk, so the sign-in page loads none of them. Key it by the person: a
 * new person gets new clients, a renewed token keeps them.
 */
export function SignedInApp({ user }: { user: User }) {
  return (
    <HubbubProvider session={session.accessFor(user.id)}>
      <SignedIn user={user} />
    </HubbubProvider>
  );
}
