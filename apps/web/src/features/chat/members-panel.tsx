import type { User } from '@hubbub/core';
import { errorMessage } from '../../lib/errors';
import { Avatar } from '../../ui/avatar';
import { usePresence } from './live-context';
import type { ChannelMember } from './types';

interface MembersPanelProps {
  channelId: string;
  me: User;
  members: { data?: ChannelMember[] | undefined; isPending: boolean; error: unknown };
}

/** Members with online dots: the list comes from channel.members, "online" from live presence events. */
export function MembersPanel({ channelId, me, members }: MembersPanelProps) {
  const presence = usePresence(channelId);
  const online = presence ? new Set(presence) : null;
  const list = (members.data ?? [])
    .map((m) => ({ ...m, online: online ? online.has(m.userId) : m.online }))
    .sort((a, b) => Number(b.online) - Number(a.online) || a.displayName.localeCompare(b.displayName));
  const onlineCount = list.filter((m) => m.online).length;

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
          <li key={m.userId} className="member" data-testid="member" data-online={m.online}>
            <span className="avatar-wrap">
              <Avatar name={m.displayName} size="sm" />
              <span
                className={`presence-dot${m.online ? ' online' : ''}`}
                role="img"
                aria-label={m.online ? 'online' : 'offline'}
              />
            </span>
            <span className="member-name">
              {m.displayName}
              {m.userId === me.id && <span className="muted"> (you)</span>}
            </span>
            {m.role === 'owner' && <span className="tag">owner</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
