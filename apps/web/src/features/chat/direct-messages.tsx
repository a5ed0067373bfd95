import type { User } from '@hubbub/core';
import { useRef } from 'react';
import { PlusIcon } from '../../ui/icons';
import { ChannelLink } from './channel-link';
import { directTitle } from './dm-names';
import { NewDirectDialog } from './new-direct-dialog';
import type { PeopleDialogHandle } from './people-dialog';
import type { ChannelSummary } from './types';

interface DirectMessagesProps {
  me: User;
  /**
   * The direct conversations with people you are in, most recently active first (your sessions with
   * agents have their own section: features/agents).
   */
  conversations: ChannelSummary[];
  activeSlug: string | null;
}

/** The sidebar's direct conversations, named by the people in them, and the way to start one. */
export function DirectMessages({ me, conversations: direct, activeSlug }: DirectMessagesProps) {
  const dialog = useRef<PeopleDialogHandle>(null);
  return (
    <section className="sidebar-section" aria-labelledby="direct-heading" data-testid="direct-messages">
      <div className="sidebar-section-head">
        <h2 id="direct-heading">Direct messages</h2>
        <button
          type="button"
          className="icon-button"
          onClick={() => dialog.current?.open()}
          aria-label="Start a direct message"
          title="New direct message"
          data-testid="new-direct-button"
        >
          <PlusIcon />
        </button>
      </div>
      {direct.length === 0 ? (
        <p className="sidebar-empty">No direct messages yet. Press + to write to someone, or open a person’s card.</p>
      ) : (
        <ul className="channel-list">
          {direct.map((c) => (
            <li key={c.id} data-testid="direct-item" data-name={directTitle(c.people, me.id)}>
              <ChannelLink channel={c} current={c.slug === activeSlug} name={directTitle(c.people, me.id)} />
            </li>
          ))}
        </ul>
      )}
      <NewDirectDialog ref={dialog} me={me} />
    </section>
  );
}
