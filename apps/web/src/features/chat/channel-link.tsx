import { channelHref } from '../../lib/router';
import { ChatIcon, HashIcon, LockIcon } from '../../ui/icons';
import type { ChannelSummary } from './types';

export function ChannelIcon({ channel }: { channel: ChannelSummary }) {
  return (
    <span className="channel-icon" aria-hidden="true">
      {channel.kind === 'dm' ? <ChatIcon size={13} /> : channel.visibility === 'private' ? <LockIcon /> : <HashIcon />}
    </span>
  );
}

/** A count as a badge shows it. */
const badge = (n: number) => (n > 99 ? '99+' : String(n));

/** A joined channel in the sidebar, with its unread and mention counts (the user stream keeps them current). */
export function ChannelLink({
  channel,
  current,
  name = channel.slug,
}: {
  channel: ChannelSummary;
  current: boolean;
  /** What to call it (a direct conversation: its people). */
  name?: string;
}) {
  const { unread, mentions } = channel;
  const label = [
    `${name}${channel.visibility === 'private' && channel.kind !== 'dm' ? ' (private)' : ''}`,
    channel.archivedAt ? 'archived' : null,
    unread > 0 ? `${unread} unread message${unread === 1 ? '' : 's'}` : null,
    mentions > 0 ? `${mentions} mention${mentions === 1 ? '' : 's'} of you` : null,
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
      <span className="channel-name">{name}</span>
      {mentions > 0 && (
        <span className="unread mention-count" data-testid="mention-count">
          @{badge(mentions)}
        </span>
      )}
      {unread > 0 && (
        <span className="unread" data-testid="unread-count">
          {badge(unread)}
        </span>
      )}
    </a>
  );
}
