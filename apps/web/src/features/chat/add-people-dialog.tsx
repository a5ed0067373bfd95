import { MAX_INVITES } from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type Ref, useMemo } from 'react';
import { useTRPC } from '../../trpc';
import { PeopleDialog, type PeopleDialogHandle } from './people-dialog';
import { channelsKey } from './query-keys';
import type { ChannelSummary } from './types';

interface AddPeopleDialogProps {
  ref: Ref<PeopleDialogHandle>;
  channel: ChannelSummary;
  /** Who is in the channel already: not offered. */
  memberIds: readonly string[];
}

/** "Add people" in a channel's header: choose people (and agents), channel.invite adds them. */
export function AddPeopleDialog({ ref, channel, memberIds }: AddPeopleDialogProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invite = useMutation(trpc.channel.invite.mutationOptions({ meta: { inlineErrors: true } }));
  const excluded = useMemo(() => new Set(memberIds), [memberIds]);

  return (
    <PeopleDialog
      ref={ref}
      title={`Add people to #${channel.slug}`}
      intro={
        channel.visibility === 'private'
          ? 'They become members of this private channel and can read its history.'
          : 'They become members of this channel and find it in their sidebar.'
      }
      submitLabel="Add to channel"
      pendingLabel="Adding…"
      excluded={excluded}
      emptyText="Everyone is in this channel already."
      max={MAX_INVITES}
      onSubmit={async (people) => {
        await invite.mutateAsync({ channelId: channel.id, userIds: people.map((p) => p.id) });
        // The member count in the list and the members panel change at once (the live events follow).
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: channelsKey }),
          queryClient.invalidateQueries({ queryKey: trpc.channel.members.queryKey({ channelId: channel.id }) }),
        ]);
      }}
      testId="add-people-dialog"
    />
  );
}
