import type { User } from '@hubbub/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import {
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { errorMessage } from '../../lib/errors';
import { channelHref, navigate } from '../../lib/router';
import { atEnd, markOf, scrolledUpSince } from '../../lib/scroll-follow';
import { ChatIcon } from '../../ui/icons';
import { type ListAnchor, useListPlace } from '../permalink/use-list-place';
import { flattenMessages } from './cache-updates';
import { historyKey } from './chat-live';
import { useHistoryOptions } from './history';
import { usePending } from './live-context';
import { MessageItem, PendingItem } from './message-item';
import { useMarkRead, useReadMarker } from './read-position';
import type { ChannelSummary, Message, PendingMessage } from './types';

interface MessageListProps {
  channel: ChannelSummary;
  /** How the conversation is called: "#design", or the people of a direct one. */
  place: string;
  me: User;
  canPost: boolean;
  onRetry(pending: PendingMessage): void;
  onDiscard(pending: PendingMessage): void;
  /** A permalink's message: the list opens at it (a window around it when it is not loaded) and marks it. */
  focusId?: string | undefined;
}

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Start loading older messages this far before the top is reached (newer ones before the bottom, in a window). */
const TOP_PRELOAD = 400;
/** Consecutive messages by one author this close together share a header. */
const GROUP_MS = 5 * 60_000;

type Row =
  | { kind: 'message'; key: string; message: Message }
  | { kind: 'pending'; key: string; pending: PendingMessage };

function dayLabel(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
}

/**
 * Newest at the bottom. Scrolling near the top loads older pages and keeps
 * your place; new messages scroll into view only if you were already at the
 * bottom (or sent them), otherwise a pill offers to jump down.
 */
export function MessageList({ channel, place, me, canPost, onRetry, onDiscard, focusId }: MessageListProps) {
  const listPlace = useListPlace(channel, focusId);
  const history = useInfiniteQuery({ ...useHistoryOptions(channel.id), enabled: !listPlace.opening });
  const queryClient = useQueryClient();
  const pending = usePending(channel.id);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The rows and the scroll position as the reader last saw them. */
  const previous = useRef({ first: '', last: '', height: 0, top: 0, count: 0, detached: false });
  /** The anchor last brought into view (each is handled once). */
  const anchorDone = useRef<ListAnchor | null>(null);
  /** "Jump to latest" from a window: the newest page lands at the bottom, not at the divider. */
  const toLatest = useRef(false);
  const [unseen, setUnseen] = useState(0);

  const rows = useMemo<Row[]>(() => {
    const messages = flattenMessages(history.data);
    const confirmed = new Set(messages.map((m) => m.clientId).filter(Boolean));
    return [
      ...messages.map((m): Row => ({ kind: 'message', key: m.id, message: m })),
      // A pending row whose message is already in the list is the same message: show it once.
      ...pending
        .filter((p) => !confirmed.has(p.clientId))
        .map((p): Row => ({ kind: 'pending', key: `pending:${p.clientId}`, pending: p })),
    ];
  }, [history.data, pending]);

  const newest = useMemo(() => rows.findLast((row) => row.kind === 'message'), [rows]);
  useMarkRead(channel, newest?.kind === 'message' ? newest.message : undefined);
  const marker = useReadMarker(channel);
  /** The first message after the read position that someone else wrote: "New messages" goes above it. */
  const firstUnread = useMemo(() => {
    if (marker === null) return null;
    const at = rows.findIndex((r) => r.kind === 'message' && r.message.seq > marker && r.message.authorId !== me.id);
    // The oldest loaded row with older ones not loaded may not be the first unread: no divider until it is known.
    const row = rows[at];
    if (row?.kind !== 'message') return null;
    if (at === 0 && history.hasNextPage && !listPlace.unreadOpened && row.message.seq > marker + 1) return null;
    return row.key;
  }, [rows, marker, me.id, history.hasNextPage, listPlace.unreadOpened]);
  const divider = useRef<HTMLLIElement>(null);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  /** A window that has not reached the newest message yet: the stream's new messages wait below it. */
  const { hasPreviousPage: detached, isFetchingPreviousPage, fetchPreviousPage } = history;
  const loadNewer = useCallback(() => {
    if (detached && !isFetchingPreviousPage) void fetchPreviousPage();
  }, [detached, isFetchingPreviousPage, fetchPreviousPage]);

  // The first unread older than the newest page (many arrived while away): open the list there instead.
  const [unreadAtOpen] = useState(channel.unread);
  const unreadChecked = useRef(false);
  const { openUnread } = listPlace;
  useEffect(() => {
    if (unreadChecked.current || focusId || marker === null || !history.data || listPlace.opening) return;
    unreadChecked.current = true;
    const loaded = flattenMessages(history.data);
    const loadedUnread = loaded.filter((m) => m.seq > marker && m.authorId !== me.id).length;
    const oldest = loaded[0];
    if (hasNextPage && !detached && oldest && oldest.seq > marker + 1 && loadedUnread < unreadAtOpen) {
      openUnread(marker);
    }
  }, [history.data, focusId, marker, listPlace.opening, hasNextPage, detached, me.id, unreadAtOpen, openUnread]);

  // Keep the view where it belongs after every change of the rows.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = rows[0]?.key ?? '';
    const lastRow = rows.at(-1);
    const last = lastRow?.key ?? '';
    const prev = previous.current;
    if (scrolledUpSince(el, prev, BOTTOM_SLACK)) atBottom.current = false;
    const anchor = listPlace.anchor !== anchorDone.current ? listPlace.anchor : null;
    const anchorEl = anchor
      ? 'divider' in anchor
        ? divider.current
        : el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(anchor.messageId)}"]`)
      : null;
    if (anchor && anchorEl) {
      // A permalink, a search hit or the first unread: a third of the way down the view.
      anchorDone.current = anchor;
      el.scrollTop += anchorEl.getBoundingClientRect().top - el.getBoundingClientRect().top - el.clientHeight / 3;
      atBottom.current = !detached && atEnd(el, BOTTOM_SLACK);
    } else if (prev.count === 0) {
      el.scrollTop = el.scrollHeight;
      // Opening a channel with something new in it: start at "New messages", unless it all fits anyway.
      const mark = toLatest.current ? null : divider.current;
      toLatest.current = false;
      if (mark && mark.offsetTop < el.scrollTop) {
        el.scrollTop = Math.max(0, mark.offsetTop - el.clientHeight / 3);
        atBottom.current = false;
      }
    } else if (first !== prev.first && last === prev.last) {
      // Older messages went in above: shift by their height so the reading position stays put.
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (prev.detached && last !== prev.last) {
      // A newer page went in below (a window paging down): the reading position stays put.
    } else if (last !== prev.last && rows.length > prev.count) {
      const mine = lastRow?.kind === 'pending' || (lastRow?.kind === 'message' && lastRow.message.authorId === me.id);
      if (atBottom.current || mine) {
        el.scrollTop = el.scrollHeight;
        atBottom.current = true;
      } else {
        setUnseen((n) => n + (rows.length - prev.count));
      }
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    previous.current = { first, last, ...markOf(el), count: rows.length, detached };
  }, [rows, me.id, listPlace.anchor, detached]);

  // The composer growing, an editor opening or the window resizing must not unpin the bottom.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (scrolledUpSince(el, previous.current, BOTTOM_SLACK)) atBottom.current = false;
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      Object.assign(previous.current, markOf(el));
    });
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);

  // A first page shorter than the viewport leaves nothing to scroll: fetch older pages until it fills.
  useEffect(() => {
    const el = scroller.current;
    if (el && el.scrollHeight <= el.clientHeight + TOP_PRELOAD) {
      loadOlder();
      loadNewer();
    }
  }, [loadOlder, loadNewer]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = !detached && atEnd(el, BOTTOM_SLACK);
    Object.assign(previous.current, markOf(el));
    if (atBottom.current) setUnseen(0);
    if (el.scrollTop < TOP_PRELOAD) loadOlder();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < TOP_PRELOAD) loadNewer();
  };

  /** Leaves a window for the newest messages (and the permalink's address for the channel's). */
  const jumpToLatest = () => {
    toLatest.current = true;
    atBottom.current = true;
    if (focusId) navigate(channelHref(channel.slug), { replace: true });
    void queryClient.resetQueries({ queryKey: historyKey(channel.id) });
  };

  const jumpToBottom = () => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    setUnseen(0);
  };

  const messageCount = rows.length;
  let body: ReactNode;
  if (history.isPending) {
    body = <p className="list-state">Loading messages…</p>;
  } else if (history.isError && messageCount === 0) {
    body = (
      <div className="list-state" role="alert">
        <p>Couldn’t load messages: {errorMessage(history.error)}</p>
        <button type="button" className="button" onClick={() => history.refetch()}>
          Try again
        </button>
      </div>
    );
  } else if (messageCount === 0) {
    body = (
      <div className="empty-state" data-testid="empty-state">
        <div className="empty-emoji" aria-hidden="true">
          <ChatIcon size={28} />
        </div>
        <h2>{canPost ? 'No messages yet — say hello' : 'No messages yet'}</h2>
        <p>
          {canPost
            ? `This is the very beginning of ${place}. Write the first message below; everyone here sees it instantly.`
            : `Nobody has written in ${place} yet.`}
        </p>
      </div>
    );
  } else {
    body = (
      <ol className="message-list" aria-label={`Messages in ${place}`}>
        <li className="list-top" aria-hidden={!isFetchingNextPage && hasNextPage ? true : undefined}>
          {isFetchingNextPage ? (
            <span className="muted small">Loading older messages…</span>
          ) : hasNextPage ? (
            <button type="button" className="link-button small" onClick={loadOlder}>
              Load older messages
            </button>
          ) : (
            <span className="muted small">This is the beginning of {place}.</span>
          )}
        </li>
        {rows.map((row, i) => {
          const prev = rows[i - 1];
          const at = row.kind === 'message' ? row.message.createdAt : row.pending.createdAt;
          const prevAt = prev ? (prev.kind === 'message' ? prev.message.createdAt : prev.pending.createdAt) : null;
          const author = row.kind === 'message' ? row.message.authorId : me.id;
          const prevAuthor = prev ? (prev.kind === 'message' ? prev.message.authorId : me.id) : undefined;
          const newDay = !prevAt || new Date(prevAt).toDateString() !== new Date(at).toDateString();
          const compact =
            !newDay &&
            prevAuthor === author &&
            prevAt !== null &&
            Date.parse(at) - Date.parse(prevAt) < GROUP_MS &&
            !(row.kind === 'message' && row.message.role !== 'user');
          return (
            <FragmentRow
              key={row.key}
              day={newDay ? dayLabel(at) : null}
              newMessages={row.key === firstUnread ? divider : null}
            >
              {row.kind === 'message' ? (
                <MessageItem
                  message={row.message}
                  me={me}
                  compact={compact}
                  canModify={canPost}
                  highlighted={row.key === listPlace.highlight}
                />
              ) : (
                <PendingItem pending={row.pending} me={me} compact={compact} onRetry={onRetry} onDiscard={onDiscard} />
              )}
            </FragmentRow>
          );
        })}
        {detached && (
          <li className="list-top">
            {isFetchingPreviousPage ? (
              <span className="muted small">Loading newer messages…</span>
            ) : (
              <button type="button" className="link-button small" onClick={loadNewer}>
                Load newer messages
              </button>
            )}
          </li>
        )}
      </ol>
    );
  }

  return (
    <div className="message-area">
      {listPlace.error && (
        <div className="banner window-banner" role="alert" data-testid="permalink-error">
          {listPlace.error}
        </div>
      )}
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        data-testid="message-scroller"
      >
        <div className="messages-content">{body}</div>
      </div>
      {detached && (
        <button type="button" className="new-pill" onClick={jumpToLatest} data-testid="jump-to-latest">
          Jump to latest ↓
        </button>
      )}
      {unseen > 0 && !detached && (
        <button type="button" className="new-pill" onClick={jumpToBottom} data-testid="new-messages-pill">
          {unseen === 1 ? '1 new message' : `${unseen} new messages`} ↓
        </button>
      )}
    </div>
  );
}

function FragmentRow({
  day,
  newMessages,
  children,
}: {
  day: string | null;
  /** Where the unread part starts (above this row): the divider, and its element for scrolling. */
  newMessages: RefObject<HTMLLIElement | null> | null;
  children: ReactNode;
}) {
  return (
    <>
      {day && (
        <li className="day-divider" aria-label={day}>
          <span>{day}</span>
        </li>
      )}
      {newMessages && (
        <li className="day-divider unread-divider" ref={newMessages} data-testid="new-messages-divider">
          <span>New messages</span>
        </li>
      )}
      {children}
    </>
  );
}
