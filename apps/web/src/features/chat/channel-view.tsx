import type { User } from '@hubbub/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState } from 'react';
import { channelHref, navigate } from '../../lib/router';
import { useTRPC } from '../../trpc';
import { HashIcon, LockIcon, UsersIcon } from '../../ui/icons';
import { agentCheck, sessionAgents, sessionTitle } from '../agents/agent-sessions';
import { useAgentIds } from '../agents/use-agents';
import { useFileDrop } from '../files/use-file-drop';
import { useUploads } from '../files/use-uploads';
import { MuteToggle } from '../notifications';
import { AddPeopleDialog } from './add-people-dialog';
import { Composer } from './composer';
import { conversationName, directTitle, isDirect } from './dm-names';
import { EditChannelDialog, type EditChannelDialogHandle } from './edit-channel-dialog';
import { useChatLive, useStreamError } from './live-context';
import { MembersPanel } from './members-panel';
import { MessageList } from './message-list';
import type { PeopleDialogHandle } from './people-dialog';
import { channelsKey } from './query-keys';
import { ThreadPanel } from './thread-panel';
import { PlanToggle, TodoPanel } from './todo-panel';
import type { ChannelSummary } from './types';
import { useSendMessage } from './use-send-message';

/** One channel: header with actions, the conversation, and who is in it. */
export function ChannelView({
  channel,
  me,
  focusId,
}: {
  channel: ChannelSummary;
  me: User;
  /** A permalink's message to open the conversation at. */
  focusId?: string | undefined;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const _live = useChatLive();
  const streamError = useStreamError(channel.id);
  // The right-hand panel: the members (as before) or the channel's plan, one at a time.
  const [side, setSide] = useState<'members' | 'todos' | null>('members');
  const showMembers = side === 'members';
  const toggleSide = (panel: 'members' | 'todos') => setSide((open) => (open === panel ? null : panel));
  const members = useQuery(trpc.channel.members.queryOptions({ channelId: channel.id }, { staleTime: 60_000 }));
  const sender = useSendMessage(channel.id);
  const uploads = useUploads(channel.id);
  const drop = useFileDrop(uploads.add);
  const addPeople = useRef<PeopleDialogHandle>(null);
  const editChannel = useRef<EditChannelDialogHandle>(null);
  const memberIds = useMemo(() => members.data?.map((m) => m.userId) ?? [], [members.data]);

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
  // A conversation with agents alone is the person's session: titled with its name (the sidebar renames and archives it).
  const agentIds = useAgentIds();
  const agents = sessionAgents(channel, me.id, agentCheck(agentIds));
  const session = agents.length > 0;
  const canArchive = !archived && channel.joined && mayArchive;
  const canUnarchive = archived && mayArchive;
  const canPost = channel.joined && !archived;
  const canJoin = !channel.joined && !archived && channel.visibility === 'public';
  // A direct conversation keeps its people: nobody is added, removed, or archives it; it needs no leaving.
  const direct = isDirect(channel);
  const canAddPeople = !direct && !archived && (channel.joined || me.role === 'admin');
  const canRemoveMembers = !direct && mayArchive;
  const title = session ? sessionTitle(channel) : direct ? directTitle(channel.people, me.id) : channel.slug;
  const place = conversationName(channel, me.id);

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
              {direct ? (
                <UsersIcon />
              ) : channel.visibility === 'private' ? (
                <LockIcon size={16} />
              ) : (
                <HashIcon size={16} />
              )}
            </span>
            <span data-testid="channel-title">{title}</span>
            {archived && <span className="tag tag-warn">archived</span>}
            {channel.visibility === 'private' && !direct && <span className="tag">private</span>}
          </h1>
          <p className="channel-topic">
            {session
              ? `Your conversation with ${agents.map((a) => a.displayName).join(', ')}: only you and the agent can read it.`
              : direct
                ? 'Direct message: only the people in it can read it.'
                : channel.topic || channel.name}
          </p>
        </div>
        <div className="channel-actions">
          {channel.joined && <MuteToggle channelId={channel.id} />}
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
          {canAddPeople && (
            <button
              type="button"
              className="button subtle"
              onClick={() => addPeople.current?.open()}
              data-testid="add-people"
            >
              Add people
            </button>
          )}
          {mayArchive && !archived && !direct && (
            <button
              type="button"
              className="button subtle"
              onClick={() => editChannel.current?.open()}
              data-testid="edit-channel"
            >
              Edit
            </button>
          )}
          {channel.joined && !direct && (
            <button type="button" className="button subtle" onClick={onLeave} disabled={leave.isPending}>
              Leave
            </button>
          )}
          {canArchive && !direct && (
            <button type="button" className="button subtle" onClick={onArchive} disabled={archive.isPending}>
              Archive
            </button>
          )}
          {canUnarchive && !direct && (
            <button
              type="button"
              className="button subtle"
              onClick={() => unarchive.mutate({ channelId: channel.id })}
              disabled={unarchive.isPending}
            >
              Unarchive
            </button>
          )}
          <PlanToggle channelId={channel.id} open={side === 'todos'} onToggle={() => toggleSide('todos')} />
          <button
            type="button"
            className="button subtle members-toggle"
            aria-pressed={showMembers}
            onClick={() => toggleSide('members')}
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
        <section
          className={`conversation${canPost && drop.over ? ' composer-drop' : ''}`}
          {...(canPost ? drop.handlers : {})}
          aria-label={direct ? `Conversation with ${title}` : `Conversation in #${channel.slug}`}
        >
          <MessageList
            channel={channel}
            place={place}
            me={me}
            canPost={canPost}
            onRetry={sender.retry}
            onDiscard={sender.discard}
            focusId={focusId}
          />
          <Composer
            channel={channel}
            place={place}
            me={me}
            mayMentionChannel={mayArchive}
            canPost={canPost}
            canJoin={canJoin}
            uploads={uploads}
            onSend={sender.send}
            onJoin={() => join.mutate({ channelId: channel.id })}
            joining={join.isPending}
          />
        </section>
        <ThreadPanel channel={channel} me={me} canPost={canPost} />
        {side === 'todos' && <TodoPanel channelId={channel.id} canPost={canPost} onClose={() => setSide(null)} />}
        {showMembers && <MembersPanel channelId={channel.id} me={me} members={members} canRemove={canRemoveMembers} />}
      </div>
      {canAddPeople && <AddPeopleDialog ref={addPeople} channel={channel} memberIds={memberIds} />}
      {mayArchive && !direct && <EditChannelDialog ref={editChannel} channel={channel} />}
    </div>
  );
}
