import type { User } from '@hubbub/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { channelHref, navigate } from '../../lib/router';
import { useTRPC } from '../../trpc';
import { HashIcon, LockIcon, UsersIcon } from '../../ui/icons';
import { Composer } from './composer';
import { useChatLive, useStreamError } from './live-context';
import { MembersPanel } from './members-panel';
import { MessageList } from './message-list';
import { channelsKey } from './query-keys';
import type { ChannelSummary } from './types';
import { useSendMessage } from './use-send-message';

/** One channel: header with actions, the conversation, and who is in it. */
export function ChannelView({ channel, me }: { channel: ChannelSummary; me: User }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const live = useChatLive();
  const streamError = useStreamError(channel.id);
  const [showMembers, setShowMembers] = useState(true);
  const members = useQuery(trpc.channel.members.queryOptions({ channelId: channel.id }, { staleTime: 60_000 }));
  const sender = useSendMessage(channel.id);

  // This channel is on screen: its messages are read as they arrive.
  useEffect(() => {
    live.setActive(channel.id);
    return () => live.setActive(null);
  }, [live, channel.id]);

  const refreshList = () => queryClient.invalidateQueries({ queryKey: channelsKey });
  const join = useMutation(trpc.channel.join.mutationOptions({ onSuccess: refreshList }));
  const leave = useMutation(
    trpc.channel.leave.mutationOptions({
      onSuccess: async () => {
        await refreshList();
        if (channel.visibility === 'private') navigate(channelHref('general'));
      },
    }),
  );
  const archive = useMutation(trpc.channel.archive.mutationOptions({ onSuccess: refreshList }));
  const unarchive = useMutation(trpc.channel.unarchive.mutationOptions({ onSuccess: refreshList }));

  const myRole = members.data?.find((m) => m.userId === me.id)?.role;
  const archived = Boolean(channel.archivedAt);
  const mayArchive = me.role === 'admin' || myRole === 'owner';
  const canArchive = !archived && channel.joined && mayArchive;
  const canUnarchive = archived && mayArchive;
  const canPost = channel.joined && !archived;
  const canJoin = !channel.joined && !archived && channel.visibility === 'public';

  const onLeave = () => {
    if (
      channel.visibility === 'private' &&
      !window.confirm(`Leave #${channel.slug}? You will need an invite to return.`)
    )
      return;
    leave.mutate({ channelId: channel.id });
  };
  const onArchive = () => {
    if (window.confirm(`Archive #${channel.slug}? It becomes read-only for everyone.`))
      archive.mutate({ channelId: channel.id });
  };

  return (
    <div className={`channel${showMembers ? ' with-members' : ''}`}>
      <header className="channel-header">
        <div className="channel-title">
          <h1>
            <span className="title-icon" aria-hidden="true">
              {channel.visibility === 'private' ? <LockIcon size={16} /> : <HashIcon size={16} />}
            </span>
            {channel.slug}
            {archived && <span className="tag tag-warn">archived</span>}
            {channel.visibility === 'private' && <span className="tag">private</span>}
          </h1>
          <p className="channel-topic">{channel.topic || channel.name}</p>
        </div>
        <div className="channel-actions">
          {canJoin && (
            <button
              type="button"
              className="button primary"
              onClick={() => join.mutate({ channelId: channel.id })}
              disabled={join.isPending}
            >
              Join channel
            </button>
          )}
          {channel.joined && (
            <button type="button" className="button subtle" onClick={onLeave} disabled={leave.isPending}>
              Leave
            </button>
          )}
          {canArchive && (
            <button type="button" className="button subtle" onClick={onArchive} disabled={archive.isPending}>
              Archive
            </button>
          )}
          {canUnarchive && (
            <button
              type="button"
              className="button subtle"
              onClick={() => unarchive.mutate({ channelId: channel.id })}
              disabled={unarchive.isPending}
            >
              Unarchive
            </button>
          )}
          <button
            type="button"
            className="button subtle members-toggle"
            aria-pressed={showMembers}
            onClick={() => setShowMembers((s) => !s)}
            data-testid="toggle-members"
            aria-label={`Members: ${channel.memberCount}`}
            title={showMembers ? 'Hide members' : 'Show members'}
          >
            <UsersIcon /> {channel.memberCount}
          </button>
        </div>
      </header>

      {streamError && (
        <div className="banner" role="status">
          Live updates interrupted: {streamError}. Retrying…
        </div>
      )}

      <div className="channel-body">
        <section className="conversation" aria-label={`Conversation in #${channel.slug}`}>
          <MessageList channel={channel} me={me} canPost={canPost} onRetry={sender.retry} onDiscard={sender.discard} />
          <Composer
            channel={channel}
            canPost={canPost}
            canJoin={canJoin}
            onSend={sender.send}
            onJoin={() => join.mutate({ channelId: channel.id })}
            joining={join.isPending}
          />
        </section>
        {showMembers && <MembersPanel channelId={channel.id} me={me} members={members} />}
      </div>
    </div>
  );
}
