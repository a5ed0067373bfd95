import type { User } from '@hubbub/core';
import { type ReactNode, useEffect } from 'react';
import { useChannels } from '../features/chat/channel-list';
import { ChannelStreams } from '../features/chat/channel-streams';
import { ChannelView } from '../features/chat/channel-view';
import { conversationName } from '../features/chat/dm-names';
import { useTotalUnread } from '../features/chat/live-context';
import { LocalChatProvider } from '../features/chat/local-chat';
import { UserStream } from '../features/people/user-stream';
import { SearchPalette } from '../features/search/search-palette';
import { TasksPage } from '../features/tasks/tasks-page';
import { errorMessage } from '../lib/errors';
import { channelHref, navigate, parseRoute, useHash } from '../lib/router';
import { ConnectionBanner } from './connection-banner';
import { PhoneBar, SidebarDrawer, useDrawer } from './drawer';
import { useFaviconCount } from './favicon';
import { Sidebar } from './sidebar';
import { useConnectionStatus } from './use-connection-status';
import './shell-extras.css';

/**
 * The signed-in layout: sidebar (a drawer on a phone), the current page, the
 * live subscriptions behind them, and what this browser keeps so nothing typed
 * is lost (drafts, the outbox).
 */
export function AppShell({ me }: { me: User }) {
  const route = parseRoute(useHash());
  const connected = useConnectionStatus().status === 'connected';
  const drawer = useDrawer();
  const channels = useChannels();
  const list = channels.data;

  const activeSlug = route.name === 'channel' ? route.slug : null;
  const active = list?.find((c) => c.slug === activeSlug) ?? null;

  // No channel in the URL: open #general (or the first one you are in).
  useEffect(() => {
    if (route.name !== 'channel' || route.slug || !list) return;
    const home = list.find((c) => c.joined && c.slug === 'general') ?? list.find((c) => c.joined) ?? list[0];
    if (home) navigate(channelHref(home.slug), { replace: true });
  }, [route, list]);

  const unread = useTotalUnread();
  useFaviconCount(unread);
  useEffect(() => {
    const place = route.name === 'tasks' ? 'Tasks' : active ? conversationName(active, me.id) : 'Chat';
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${place} · Hubbub`;
  }, [unread, route.name, active]);

  let page: ReactNode;
  if (route.name === 'tasks') page = <TasksPage />;
  else if (active) {
    const focusId = route.name === 'channel' ? route.messageId : undefined;
    page = <ChannelView key={active.id} channel={active} me={me} focusId={focusId} />;
  } else if (channels.isError) page = <PageMessage title="Can’t load channels" text={errorMessage(channels.error)} />;
  else if (!list || !route.slug) page = <PageMessage title="Loading…" text="" />;
  else
    page = (
      <PageMessage
        title="Channel not found"
        text={`There is no channel named #${route.slug} that you can see. Pick one from the sidebar or create it.`}
      />
    );

  return (
    <LocalChatProvider userId={me.id} connected={connected}>
      <div className="shell">
        <SidebarDrawer drawer={drawer}>
          <Sidebar me={me} channels={list ?? []} activeSlug={activeSlug} route={route.name} />
        </SidebarDrawer>
        <main className="page" id="main">
          <PhoneBar drawer={drawer} unread={unread} />
          <ConnectionBanner />
          {/* Behind the open drawer the page is out of reach, for the keyboard too. */}
          <div className="page-body" inert={drawer.open}>
            {page}
          </div>
        </main>
        <SearchPalette me={me} />
        <ChannelStreams active={active} />
        <UserStream
          me={me.id}
          onScreen={route.name === 'channel' ? (active?.id ?? null) : null}
          connected={connected}
        />
      </div>
    </LocalChatProvider>
  );
}

function PageMessage({ title, text }: { title: string; text: string }) {
  return (
    <section className="empty-page">
      <h1>{title}</h1>
      {text && <p>{text}</p>}
    </section>
  );
}
