import type { User } from '@hubbub/core';
import { useRef } from 'react';
import { TASKS_HREF } from '../../lib/router';
import { PlusIcon, TasksIcon } from '../../ui/icons';
import { UserMenu } from '../auth/user-menu';
import { BrowseChannels } from './browse-channels';
import { ChannelLink } from './channel-link';
import { ConnectionBadge } from './connection-badge';
import { NewChannelDialog, type NewChannelDialogHandle } from './new-channel-dialog';
import type { ChannelSummary } from './types';

interface SidebarProps {
  me: User;
  channels: ChannelSummary[];
  activeSlug: string | null;
  route: 'channel' | 'tasks';
}

export function Sidebar({ me, channels, activeSlug, route }: SidebarProps) {
  const dialog = useRef<NewChannelDialogHandle>(null);
  const joined = channels.filter((c) => c.joined);
  const discover = channels.filter((c) => !c.joined && c.visibility === 'public' && !c.archivedAt);

  return (
    <nav className="sidebar" aria-label="Channels and pages">
      <header className="sidebar-header">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          Hubbub
        </a>
        <ConnectionBadge />
      </header>

      <div className="sidebar-scroll">
        <section className="sidebar-section" aria-labelledby="joined-heading">
          <div className="sidebar-section-head">
            <h2 id="joined-heading">Channels</h2>
            <button
              type="button"
              className="icon-button"
              onClick={() => dialog.current?.open()}
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
                  <ChannelLink channel={c} current={route === 'channel' && c.slug === activeSlug} />
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="sidebar-action" onClick={() => dialog.current?.open()}>
            + New channel
          </button>
        </section>

        <BrowseChannels channels={discover} activeSlug={activeSlug} />

        <section className="sidebar-section" aria-labelledby="pages-heading">
          <h2 id="pages-heading">Workspace</h2>
          <ul className="channel-list">
            <li>
              <a
                className="channel-link"
                href={TASKS_HREF}
                aria-current={route === 'tasks' ? 'page' : undefined}
                data-testid="nav-tasks"
              >
                <span className="channel-icon" aria-hidden="true">
                  <TasksIcon />
                </span>
                <span className="channel-name">Tasks</span>
              </a>
            </li>
          </ul>
        </section>
      </div>

      <UserMenu me={me} />
      <NewChannelDialog ref={dialog} />
    </nav>
  );
}
