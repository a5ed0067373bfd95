import type { User } from '@hubbub/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { useAgentIds } from '../agents/use-agents';
import { usePresence } from './live-context';
import { PersonButton } from './profile-card';
import { channelsKey } from './query-keys';
import type { ChannelMember } from './types';

interface MembersPanelProps {
  channelId: string;
  me: User;
  members: { data?: ChannelMember[] | undefined; isPending: boolean; error: unknown };
  /** The channel's owner or an admin, in a channel (not a direct conversation): may remove the others. */
  canRemove?: boolean;
}

/**
 * Members with online dots: the list comes from channel.members, "online" from live presence events.
 * A name opens the person's card; the owner and admins can remove someone (after a confirmation).
 */
export function MembersPanel({ channelId, me, members, canRemove = false }: MembersPanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const presence = usePresence(channelId);
  const agentIds = useAgentIds();
  const [confirming, setConfirming] = useState<string | null>(null);
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  const remove = useMutation(
    trpc.channel.removeMember.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: async () => {
        setConfirming(null);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.channel.members.queryKey({ channelId }) }),
          queryClient.invalidateQueries({ queryKey: channelsKey }),
        ]);
      },
    }),
  );
  const online = presence ? new Set(presence) : null;
  const list = (members.data ?? [])
    .map((m) => ({ ...m, online: online ? online.has(m.userId) : m.online }))
    .sort((a, b) => Number(b.online) - Number(a.online) || a.displayName.localeCompare(b.displayName));
  const onlineCount = list.filter((m) => m.online).length;

  const askToRemove = (userId: string) => {
    remove.reset();
    setConfirming(userId);
  };
  // Back on the Remove button the question replaced, once it is there again.
  const cancelRemove = (userId: string) => {
    flushSync(() => setConfirming(null));
    removeButtons.current.get(userId)?.focus();
  };

  return (
    <aside className="members-panel" aria-labelledby="members-heading" data-testid="members-panel">
      <h2 id="members-heading">
        Members <span className="muted small">{members.data ? `${onlineCount} of ${list.length} online` : ''}</span>
      </h2>
      {members.isPending && <p className="muted small">Loading members…</p>}
      {Boolean(members.error) && (
        <p className="field-error" role="alert">
          {errorMessage(members.error)}
        </p>
      )}
      {members.data && list.length === 0 && <p className="muted small">Nobody has joined yet.</p>}
      <ul className="member-list">
        {list.map((m) => (
          <Fragment key={m.userId}>
            <li className="member" data-testid="member" data-online={m.online} data-handle={m.handle}>
              <PersonButton
                person={{ id: m.userId, handle: m.handle, displayName: m.displayName }}
                me={me}
                label={`${m.displayName}${m.userId === me.id ? ' (you)' : ''}, ${m.online ? 'online' : 'offline'}`}
                testId="member-person"
              >
                <span className="avatar-wrap">
                  <Avatar name={m.displayName} size="sm" />
                  <span className={`presence-dot${m.online ? ' online' : ''}`} aria-hidden="true" />
                </span>
                <span className="member-name">
                  {m.displayName}
                  {m.userId === me.id && <span className="muted"> (you)</span>}
                </span>
              </PersonButton>
              {m.role === 'owner' && <span className="tag">owner</span>}
              {agentIds.has(m.userId) && (
                <span className="tag" data-testid="member-agent-tag">
                  agent
                </span>
              )}
              {canRemove && m.userId !== me.id && confirming !== m.userId && (
                <button
                  type="button"
                  className="member-remove"
                  ref={(el) => {
                    if (el) removeButtons.current.set(m.userId, el);
                    else removeButtons.current.delete(m.userId);
                  }}
                  onClick={() => askToRemove(m.userId)}
                  aria-label={`Remove ${m.displayName} from the channel`}
                  title="Remove from the channel"
                  data-testid="member-remove"
                >
                  <span aria-hidden="true">×</span>
                </button>
              )}
            </li>
            {confirming === m.userId && (
              <li className="member-confirm" data-testid="member-remove-question">
                <span>Remove {m.displayName} from this channel?</span>
                <span className="row">
                  <button
                    type="button"
                    className="button small danger"
                    onClick={() => remove.mutate({ channelId, userId: m.userId })}
                    disabled={remove.isPending}
                    // biome-ignore lint/a11y/noAutofocus: the confirmation the user just asked for
                    autoFocus
                    data-testid="member-remove-confirm"
                  >
                    {remove.isPending ? 'Removing…' : 'Remove'}
                  </button>
                  <button type="button" className="button small" onClick={() => cancelRemove(m.userId)}>
                    Cancel
                  </button>
                </span>
                {remove.error && (
                  <span className="field-error" role="alert">
                    {errorMessage(remove.error)}
                  </span>
                )}
              </li>
            )}
          </Fragment>
        ))}
      </ul>
    </aside>
  );
}
