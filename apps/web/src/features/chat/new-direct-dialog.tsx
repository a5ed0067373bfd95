import { MAX_DIRECT_PEOPLE, type User } from '@hubbub/core';
import { type Ref, useMemo } from 'react';
import { PeopleDialog, type PeopleDialogHandle } from './people-dialog';
import { useOpenDirect } from './use-open-direct';

/** The sidebar's "+" by Direct messages: choose people, dm.open finds or starts the conversation, and it opens. */
export function NewDirectDialog({ ref, me }: { ref: Ref<PeopleDialogHandle>; me: User }) {
  const direct = useOpenDirect();
  const excluded = useMemo(() => new Set([me.id]), [me.id]);
  return (
    <PeopleDialog
      ref={ref}
      title="New direct message"
      intro={`A private conversation with up to ${MAX_DIRECT_PEOPLE - 1} people. The same people always get the same conversation.`}
      submitLabel="Open conversation"
      pendingLabel="Opening…"
      excluded={excluded}
      emptyText="Nobody else is here yet: ask someone to sign up, then write to them."
      max={MAX_DIRECT_PEOPLE - 1}
      onSubmit={(people) => direct.go(people.map((p) => p.id))}
      testId="new-direct-dialog"
    />
  );
}
