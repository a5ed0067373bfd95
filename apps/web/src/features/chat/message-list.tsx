import type { User } from '@hubbub/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { errorMessage } from '../../lib/errors';
import { channelHref, navigate } from '../../lib/router';
import { atEnd, markOf, scrolledUpSince } from '../../lib/scroll-follow';
import { ChatIcon } from '../../ui/icons';
import { type ListAnchor, useListPlace } from '../permalink/use-list-place';
import { flattenMessages } from './cache-updates';
import { historyKey } from './chat-live';
import { useHistoryOptions } from './history';
import { estimatedHeight, type ListItem, listItems, type Row } from './list-items';
import { usePending } from './live-context';
import { MessageItem, PendingItem } from './message-item';
import { useMarkRead, useReadMarker } from './read-position';
import type { ChannelSummary, PendingMessage } from './types';
import { covers, layOut, type RowStarts, rowAt, rowsBetween } from './virtual-rows';

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
/**
 * Up to this many items the whole list is in the page: a few pages cost little, and the browser's
 * find-in-page sees them all. Past it, only the rows near the view are (a long channel's 10,000
 * would make every scroll frame lay out and paint them all).
 */
const RENDER_ALL_UP_TO = 300;
/** Rows kept in the page above and below the view, in pixels… */
const OVERSCAN = 800;
/** …rendered again only once the view comes this close to the edge of what is in the page. */
const OVERSCAN_SLACK = 300;

function dayLabel(iso: string): string {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
}

/** An element's height in the list: its box and its margins (the list is a flex column: margins do not collapse). */
function outerHeight(el: Element): number {
  const style = getComputedStyle(el);
  return el.getBoundingClientRect().height + Number.parseFloat(style.marginTop) + Number.parseFloat(style.marginBottom);
}

/**
 * A window of the list is only part of it: each row in the page says where it stands in the whole (screen
 * readers announce "item 5,432 of 10,001"; a size of -1: older pages not loaded yet). `position` null: the
 * whole list is in the page, the browser counts. Attributes are written only when they change: every scroll
 * frame renders, and most rows stay where they were.
 */
function markPlace(row: Element, position: number | null, size: number): void {
  setAttributeIfChanged(row, 'aria-posinset', position === null ? null : String(position));
  setAttributeIfChanged(row, 'aria-setsize', position === null ? null : String(size));
}

/** Sets an attribute (removes it for null) unless it already is so. */
function setAttributeIfChanged(el: Element, name: string, value: string | null): void {
  if (el.getAttribute(name) === value) return;
  if (value === null) el.removeAttribute(name);
  else el.setAttribute(name, value);
}

/** The items [from, to) to have in the page for a view from `top`, `height` high (list coordinates). */
function pickRange(
  starts: RowStarts,
  top: number,
  height: number,
  keep: { from: number; to: number } | null,
): { from: number; to: number } {
  const count = starts.length - 1;
  if (count <= RENDER_ALL_UP_TO) return { from: 0, to: count };
  // The rows in the page stay while they cover the view with some to spare, and are not far more than it needs.
  const most = rowsBetween(starts, top - 2 * OVERSCAN, top + height + 2 * OVERSCAN);
  if (
    keep &&
    keep.from >= most.from &&
    keep.to <= most.to &&
    covers(starts, keep.from, keep.to, top - OVERSCAN_SLACK, top + height + OVERSCAN_SLACK)
  ) {
    return keep;
  }
  return rowsBetween(starts, top - OVERSCAN, top + height + OVERSCAN);
}

interface Shown {
  items: ListItem[];
  starts: RowStarts;
}

/**
 * What stays put when the rows above change: the row at the view's top, and how far the top is
 * past its start. A row, not a divider or the top line: those come and go (a day's divider moves
 * to the older page's first message), and the top line stays first when older pages go in.
 */
function readingAt(shown: Shown, top: number): { key: string; offset: number } | null {
  let at = rowAt(shown.starts, top);
  while (at >= 0 && at < shown.items.length - 1 && shown.items[at]?.kind !== 'row') at++;
  const item = shown.items[at];
  return item ? { key: item.key, offset: top - (shown.starts[at] ?? 0) } : null;
}

/**
 * Newest at the bottom. Scrolling near the top loads older pages and keeps
 * your place; new messages scroll into view only if you were already at the
 * bottom (or sent them), otherwise a pill offers to jump down.
 *
 * Virtualized: past RENDER_ALL_UP_TO items only the rows near the view are in
 * the page, between two spacers (the list's padding) as high as the rows left
 * out — measured when they were in the page, estimated before. Every scroll
 * decision is ours: after each change the row under the view's top stays where
 * it was, unless the view follows the bottom or an anchor was asked for.
 */
export function MessageList({ channel, place, me, canPost, onRetry, onDiscard, focusId }: MessageListProps) {
  const listPlace = useListPlace(channel, focusId);
  const history = useInfiniteQuery({ ...useHistoryOptions(channel.id), enabled: !listPlace.opening });
  const queryClient = useQueryClient();
  const pending = usePending(channel.id);
  const scroller = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  /** The rows and the scroll position as the reader last saw them. */
  const previous = useRef({
    rows: [] as Row[],
    first: '',
    last: '',
    height: 0,
    top: 0,
    count: 0,
    detached: false,
  });
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

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  /** A window that has not reached the newest message yet: the stream's new messages wait below it. */
  const { hasPreviousPage: detached, isFetchingPreviousPage, fetchPreviousPage } = history;
  const loadNewer = useCallback(() => {
    if (detached && !isFetchingPreviousPage) void fetchPreviousPage();
  }, [detached, isFetchingPreviousPage, fetchPreviousPage]);

  // ── the virtual rows ──
  const items = useMemo(
    () => listItems(rows, { myId: me.id, firstUnread, detached }),
    [rows, me.id, firstUnread, detached],
  );
  const indexOf = useMemo(() => new Map(items.map((item, i) => [item.key, i])), [items]);
  /** Each item's measured height, by key (kept while it is out of the page). */
  const sizes = useRef(new Map<string, number>()).current;
  const layOutItems = useCallback(
    (list: ListItem[]) =>
      layOut(list.length, (i) => {
        const item = list[i];
        return item ? (sizes.get(item.key) ?? estimatedHeight(item)) : 0;
      }),
    [sizes],
  );
  /** The layout the page shows since the last commit (null while there is no list). */
  const shown = useRef<Shown | null>(null);
  /** The items [from, to) rendered last (their keys too: indexes move when older pages go in above). */
  const rendered = useRef({ from: 0, to: 0, firstKey: '', lastKey: '' });
  /** The list's distance from the scroller's top (its padding): list coordinates = scrollTop − this. */
  const listTop = useRef(0);
  /** The view (list coordinates) when last seen, and the item under its top. */
  const view = useRef({ top: 0, height: 800 });
  const reading = useRef<{ key: string; offset: number } | null>(null);
  /** An anchor held a third of the way down while the rows around it are measured, until the reader scrolls. */
  const pin = useRef<{ key: string; offset: number; top: number } | null>(null);
  const [, renderAgain] = useReducer((n: number) => n + 1, 0);
  /** The elements measured, each with its item's key; later size changes are kept up to date by `rowObserver`. */
  const measured = useRef(new Map<Element, string>()).current;
  const rowObserver = useMemo(
    () =>
      new ResizeObserver((entries) => {
        let changed = false;
        for (const entry of entries) {
          const key = measured.get(entry.target);
          if (!key || !entry.target.isConnected) continue;
          const height = outerHeight(entry.target);
          if (height !== sizes.get(key)) {
            sizes.set(key, height);
            changed = true;
          }
        }
        // The page has already moved with the change: the layout follows it, the scroll position is left alone.
        if (changed && shown.current) shown.current = { ...shown.current, starts: layOutItems(shown.current.items) };
      }),
    [measured, sizes, layOutItems],
  );
  useEffect(() => () => rowObserver.disconnect(), [rowObserver]);

  const starts = layOutItems(items);
  let range: { from: number; to: number };
  {
    // Where the view will be: the item under its top stays put (older pages going in above move it down).
    const held = reading.current ? indexOf.get(reading.current.key) : undefined;
    const top =
      held !== undefined && reading.current
        ? (starts[held] ?? 0) + reading.current.offset
        : (starts[items.length] ?? 0) - view.current.height;
    const before = rendered.current;
    const keepFrom = indexOf.get(before.firstKey);
    const keepTo = indexOf.get(before.lastKey);
    range = pickRange(
      starts,
      top,
      view.current.height,
      keepFrom !== undefined && keepTo !== undefined ? { from: keepFrom, to: keepTo + 1 } : null,
    );
  }
  const { from, to } = range;
  rendered.current = { from, to, firstKey: items[from]?.key ?? '', lastKey: items[to - 1]?.key ?? '' };

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

  // After every commit: mark each row's place and measure what came into the page, then keep the view where it belongs.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const list = listRef.current;
    const before = shown.current;
    let now: Shown | null = null;
    if (list) {
      const { children } = list;
      const windowed = items.length > RENDER_ALL_UP_TO;
      for (let i = 0; i < children.length; i++) {
        const child = children[i];
        const item = items[from + i];
        if (!child || !item) continue;
        markPlace(child, windowed ? from + i + 1 : null, hasNextPage ? -1 : items.length);
        if (measured.get(child) === item.key) continue;
        measured.set(child, item.key);
        sizes.set(item.key, outerHeight(child));
        rowObserver.observe(child);
      }
      for (const [child] of measured) {
        if (child.isConnected) continue;
        rowObserver.unobserve(child);
        measured.delete(child);
      }
      now = { items, starts: layOutItems(items) };
      listTop.current = list.offsetTop;
    }
    const top = listTop.current;
    /** Where an item starts, in the scroller's coordinates. */
    const placeOf = (key: string) => {
      const at = indexOf.get(key);
      return at === undefined || !now ? null : top + (now.starts[at] ?? 0);
    };

    const first = rows[0]?.key ?? '';
    const lastRow = rows.at(-1);
    const last = lastRow?.key ?? '';
    const prev = previous.current;
    const rowsChanged = rows !== prev.rows;
    if (scrolledUpSince(el, prev, BOTTOM_SLACK)) atBottom.current = false;
    const anchor = listPlace.anchor !== anchorDone.current ? listPlace.anchor : null;
    const anchorKey = anchor
      ? 'divider' in anchor
        ? firstUnread
          ? 'unread-divider'
          : null
        : anchor.messageId
      : null;
    const anchorAt = anchorKey ? placeOf(anchorKey) : null;
    let follow = false;
    if (anchor && anchorKey && anchorAt !== null) {
      // A permalink, a search hit or the first unread: a third of the way down the view.
      anchorDone.current = anchor;
      pin.current = { key: anchorKey, offset: el.clientHeight / 3, top: 0 };
    } else if (rowsChanged && prev.count === 0) {
      follow = true;
      // Opening a channel with something new in it: start at "New messages", unless it all fits anyway.
      const mark = toLatest.current || !firstUnread ? null : placeOf('unread-divider');
      toLatest.current = false;
      if (mark !== null && mark < el.scrollHeight - el.clientHeight) {
        follow = false;
        atBottom.current = false;
        pin.current = { key: 'unread-divider', offset: el.clientHeight / 3, top: 0 };
      }
    } else if (rowsChanged && first !== prev.first && last === prev.last) {
      // Older messages went in above: the reading position stays put (below).
    } else if (rowsChanged && prev.detached && last !== prev.last) {
      // A newer page went in below (a window paging down): the reading position stays put.
    } else if (rowsChanged && last !== prev.last && rows.length > prev.count) {
      const mine = lastRow?.kind === 'pending' || (lastRow?.kind === 'message' && lastRow.message.authorId === me.id);
      if (atBottom.current || mine) {
        follow = true;
        atBottom.current = true;
      } else {
        setUnseen((n) => n + (rows.length - prev.count));
      }
    } else if (atBottom.current) {
      follow = true;
    }

    if (follow) {
      pin.current = null;
      el.scrollTop = el.scrollHeight;
    } else if (pin.current) {
      const at = placeOf(pin.current.key);
      if (at === null) pin.current = null;
      else el.scrollTop = Math.max(0, at - pin.current.offset);
    } else if (before && now) {
      // The item under the view's top stays where it was on screen, whatever went in or changed size above it.
      const held = readingAt(before, el.scrollTop - top);
      const at = held ? placeOf(held.key) : null;
      if (held && at !== null && Math.abs(at + held.offset - el.scrollTop) >= 0.5) el.scrollTop = at + held.offset;
    }
    if (anchorAt !== null) atBottom.current = !detached && atEnd(el, BOTTOM_SLACK);
    if (pin.current) pin.current.top = el.scrollTop;

    shown.current = now;
    view.current = { top: el.scrollTop - top, height: el.clientHeight };
    reading.current = now ? readingAt(now, view.current.top) : null;
    previous.current = { rows, first, last, ...markOf(el), count: rows.length, detached };
    // The view needs rows the page does not have (it moved, or rows came in smaller than guessed): render again, before paint.
    if (now && !covers(now.starts, from, to, view.current.top, view.current.top + view.current.height)) renderAgain();
  });

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
    // The reader moved the view: an anchor is no longer held.
    if (pin.current && Math.abs(el.scrollTop - pin.current.top) > 1) pin.current = null;
    const now = shown.current;
    if (now) {
      view.current = { top: el.scrollTop - listTop.current, height: el.clientHeight };
      reading.current = readingAt(now, view.current.top);
      const { from: shownFrom, to: shownTo } = rendered.current;
      const { top, height } = view.current;
      // Near the edge of the rows in the page: render the next ones in this frame, not the one after.
      if (!covers(now.starts, shownFrom, shownTo, top - OVERSCAN_SLACK, top + height + OVERSCAN_SLACK)) {
        flushSync(renderAgain);
      }
    }
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
    if (items.length <= RENDER_ALL_UP_TO) {
      el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    } else {
      // A smooth scroll through a virtualized list would be stopped by the first row measured on the way: go at once.
      atBottom.current = true;
      el.scrollTop = el.scrollHeight;
    }
    setUnseen(0);
  };

  const renderItem = (item: ListItem): ReactNode => {
    switch (item.kind) {
      case 'top':
        return (
          <li key={item.key} className="list-top" aria-hidden={!isFetchingNextPage && hasNextPage ? true : undefined}>
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
        );
      case 'day': {
        const day = dayLabel(item.at);
        return (
          <li key={item.key} className="day-divider" aria-label={day}>
            <span>{day}</span>
          </li>
        );
      }
      case 'unread':
        // Where the unread part starts (above the first unread row).
        return (
          <li key={item.key} className="day-divider unread-divider" data-testid="new-messages-divider">
            <span>New messages</span>
          </li>
        );
      case 'row':
        return item.row.kind === 'message' ? (
          <MessageItem
            key={item.key}
            message={item.row.message}
            me={me}
            compact={item.compact}
            canModify={canPost}
            highlighted={item.key === listPlace.highlight}
          />
        ) : (
          <PendingItem
            key={item.key}
            pending={item.row.pending}
            me={me}
            compact={item.compact}
            onRetry={onRetry}
            onDiscard={onDiscard}
          />
        );
      case 'bottom':
        return (
          <li key={item.key} className="list-top">
            {isFetchingPreviousPage ? (
              <span className="muted small">Loading newer messages…</span>
            ) : (
              <button type="button" className="link-button small" onClick={loadNewer}>
                Load newer messages
              </button>
            )}
          </li>
        );
    }
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
      <ol
        className="message-list"
        ref={listRef}
        aria-label={`Messages in ${place}`}
        // The rows left out, above and below: as high as they were (or are guessed to be).
        style={{ paddingTop: starts[from] ?? 0, paddingBottom: (starts[items.length] ?? 0) - (starts[to] ?? 0) }}
      >
        {items.slice(from, to).map(renderItem)}
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
