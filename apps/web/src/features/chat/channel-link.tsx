import { channelHref } from '../../lib/router';
import { HashIcon, LockIcon } from '../../ui/icons';
import { useUnread } from './live-context';
import type { ChannelSummary } from './types';

export function ChannelIcon({ channel }: { channel: ChannelSummary }) {
  return (
    <span className="channel-icon" aria-hidden="true">
      {channel.visibility === 'private' ? <LockIcon /> : <HashIcon />}
    </span>
  );
}

/** A joined channel in the sidebar, with its unread count. */
export function ChannelLink({ channel, current }: { channel: ChannelSummary; current: boolean }) {
  const unread = useUnread(channel.id);
  const label = [
    `${channel.slug}${channel.visibility === 'private' ? ' (private)' : ''}`,
    channel.archivedAt ? 'archived' : null,
    unread > 0 ? `${unread} unread message${unread === 1 ? '' : 's'}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <a
      className={`channel-link${unread > 0 ? ' has-unread' : ''}${channel.archivedAt ? ' is-archived' : ''}`}
      href={channelHref(channel.slug)}
      aria-current={current ? 'page' : undefined}
      aria-label={label}
      data-testid="channel-item"
      data-slug={channel.slug}
    >
      <ChannelIcon channel={channel} />
      <span className="channel-name">{channel.slug}</span>
      {unread > 0 && (
        <span className="unread" data-testid="unread-count">
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </a>
  );
}
