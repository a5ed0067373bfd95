import type { User } from '@hubbub/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ChatLiveProvider } from '../features/chat/live-context';
import { useTRPC } from '../trpc';
import { AppShell } from './app-shell';

/** The app for someone signed in; who they are came with their token (login, signup or refresh). */
export function SignedIn({ user }: { user: User }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Views that ask auth.me (approvals) get the answer we already have: seeded now, updated after a refresh.
  useQuery(trpc.auth.me.queryOptions(undefined, { initialData: user, staleTime: Number.POSITIVE_INFINITY }));
  useEffect(() => {
    queryClient.setQueryData(trpc.auth.me.queryKey(), user);
  }, [queryClient, trpc, user]);

  return (
    <ChatLiveProvider userId={user.id}>
      <AppShell me={user} />
    </ChatLiveProvider>
  );
}
