import { PlusIcon } from '../../ui/icons';
import { ChannelLink } from './channel-link';
import { isDirect } from './dm-names';
import type { ChannelSummary } from './types';

interface JoinedChannelsProps {
  /** Every channel you can see: the ones you are in are listed. */
  channels: ChannelSummary[];
  /** The channel on screen (null on another page). */
  activeSlug: string | null;
  onNewChannel(): void;
}

/** The sidebar's list of the channels you are in, with their unread counts, and the way to create one. */
export function JoinedChannels({ channels, activeSlug, onNewChannel }: JoinedChannelsProps) {
  // Direct conversations have their own section (direct-messages.tsx).
  const joined = channels.filter((c) => c.joined && !isDirect(c));
  return (
    <section className="sidebar-section" aria-labelledby="joined-heading">
      <div className="sidebar-section-head">
        <h2 id="joined-heading">Channels</h2>
        <button
          type="button"
          className="icon-button"
          onClick={onNewChannel}
          aria-label="Create a new channel"
          title="New channel"
          data-testid="new-channel-button"
        >
          <PlusIcon />
        </button>
      </div>
      {joined.length === 0 ? (
        <p className="sidebar-empty">You haven’t joined any channel yet. Join one below or create your own.</p>
      ) : (
        <ul className="channel-list">
          {joined.map((c) => (
            <li key={c.id}>
              <ChannelLink channel={c} current={c.slug === activeSlug} />
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="sidebar-action" onClick={onNewChannel}>
        + New channel
      </button>
    </section>
  );
}
