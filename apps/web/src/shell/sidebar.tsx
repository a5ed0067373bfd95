import type { User } from '@hubbub/core';
import { useRef } from 'react';
import { AgentSessions } from '../features/agents/agent-sessions-list';
import { AgentsDialog, type AgentsDialogHandle } from '../features/agents/agents-dialog';
import { useDirectSplit } from '../features/agents/use-agent-sessions';
import { UserMenu } from '../features/auth/user-menu';
import { BrowseChannels } from '../features/chat/browse-channels';
import { DirectMessages } from '../features/chat/direct-messages';
import { JoinedChannels } from '../features/chat/joined-channels';
import { useForgetLocalChat } from '../features/chat/local-chat';
import { NewChannelDialog, type NewChannelDialogHandle } from '../features/chat/new-channel-dialog';
import type { ChannelSummary } from '../features/chat/types';
import { useNotificationsMenu } from '../features/notifications';
import { SearchBox } from '../features/search/search-box';
import { ApprovalsBadge } from '../features/tasks/approvals-badge';
import { TASKS_HREF } from '../lib/router';
import { AgentIcon, TasksIcon } from '../ui/icons';
import { ConnectionBadge } from './connection-badge';

interface SidebarProps {
  me: User;
  channels: ChannelSummary[];
  activeSlug: string | null;
  route: 'channel' | 'tasks';
}

/** The app's navigation: the connection, your channels and the others you can join, the pages, and you. */
export function Sidebar({ me, channels, activeSlug, route }: SidebarProps) {
  const dialog = useRef<NewChannelDialogHandle>(null);
  const agentsDialog = useRef<AgentsDialogHandle>(null);
  const notifications = useNotificationsMenu();
  const forgetLocal = useForgetLocalChat();
  // Conversations with agents only are sessions, listed under Agents; the others stay under Direct messages.
  const { split, isAgent } = useDirectSplit(channels, me.id);
  // Leaving a shared browser: its push subscription goes, and so do drafts and unsent messages.
  const beforeLogout = async () => {
    await notifications.beforeLogout().finally(forgetLocal);
  };

  return (
    <nav className="sidebar" aria-label="Channels and pages">
      <header className="sidebar-header">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          Hubbub
        </a>
        <ConnectionBadge />
      </header>
      <SearchBox />

      <div className="sidebar-scroll">
        <JoinedChannels channels={channels} activeSlug={activeSlug} onNewChannel={() => dialog.current?.open()} />
        <AgentSessions meId={me.id} split={split} isAgent={isAgent} activeSlug={activeSlug} />
        <DirectMessages me={me} conversations={split.people} activeSlug={activeSlug} />
        <BrowseChannels channels={channels} activeSlug={activeSlug} />

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
                <ApprovalsBadge />
              </a>
            </li>
            {me.role === 'admin' && (
              <li>
                <button
                  type="button"
                  className="channel-link nav-button"
                  onClick={() => agentsDialog.current?.open()}
                  data-testid="nav-agents"
                >
                  <span className="channel-icon" aria-hidden="true">
                    <AgentIcon />
                  </span>
                  <span className="channel-name">Agents</span>
                </button>
              </li>
            )}
          </ul>
        </section>
      </div>

      <UserMenu me={me} extraItems={notifications.menuItem} beforeLogout={beforeLogout} />
      {notifications.dialog}
      <NewChannelDialog ref={dialog} />
      {me.role === 'admin' && <AgentsDialog ref={agentsDialog} />}
    </nav>
  );
}
