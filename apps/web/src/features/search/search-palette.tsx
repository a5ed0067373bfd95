import { SEARCH_LIMITS, type SearchHit, type User } from '@hubbub/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { channelHref, messageHref, navigate } from '../../lib/router';
import { shortTime } from '../../lib/time';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { HashIcon, LockIcon, UsersIcon } from '../../ui/icons';
import { useChannels } from '../chat/channel-list';
import { conversationName, isDirect } from '../chat/dm-names';
import type { ChannelSummary } from '../chat/types';
import { useDebouncedValue } from '../chat/use-debounced-value';
import { useOpenDirect } from '../chat/use-open-direct';
import { matchChannels, type PaletteOption } from './palette-options';
import { closeSearch, shortcutLabel, useSearchOpen, useSearchShortcut } from './search-open';
import { snippetParts } from './snippet-parts';
import './search.css';

/** A pause in typing this long asks the server (people, messages); channels are matched at once. */
const DEBOUNCE_MS = 200;
const PEOPLE = 5;
const HITS = 20;

/**
 * The search palette (Ctrl/Cmd+K, or the sidebar's box): jump to a channel or a person, or find a
 * message and open it where it was written. A modal dialog; arrows move, Enter opens, Escape closes.
 */
export function SearchPalette({ me }: { me: User }) {
  useSearchShortcut();
  const open = useSearchOpen();
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="dialog search-dialog"
      aria-label="Search"
      onClose={closeSearch}
      data-testid="search-palette"
    >
      {open && <PaletteBody me={me} />}
    </dialog>
  );
}

function PaletteBody({ me }: { me: User }) {
  const trpc = useTRPC();
  const listId = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const query = useDebouncedValue(text.trim(), DEBOUNCE_MS);
  const searchable = query.length >= SEARCH_LIMITS.query.min && query.length <= SEARCH_LIMITS.query.max;
  const channels = useChannels().data;
  const direct = useOpenDirect();

  const people = useQuery(
    trpc.user.list.queryOptions(
      { query, limit: PEOPLE + 1 },
      { enabled: searchable, staleTime: 30_000, placeholderData: keepPreviousData },
    ),
  );
  const messages = useQuery(
    trpc.message.search.queryOptions(
      { query, limit: HITS },
      { enabled: searchable, staleTime: 10_000, placeholderData: keepPreviousData, retry: false },
    ),
  );

  const options = useMemo<PaletteOption[]>(() => {
    if (!text.trim()) return [];
    const found = matchChannels(channels ?? [], text, me.id).map(
      (channel): PaletteOption => ({
        kind: 'channel',
        key: `c:${channel.id}`,
        channel,
      }),
    );
    if (searchable) {
      for (const person of (people.data ?? []).filter((p) => p.id !== me.id).slice(0, PEOPLE)) {
        found.push({ kind: 'person', key: `p:${person.id}`, person });
      }
      for (const hit of messages.data?.hits ?? []) found.push({ kind: 'message', key: `m:${hit.message.id}`, hit });
    }
    return found;
  }, [text, channels, me.id, searchable, people.data, messages.data]);

  useEffect(() => setActive(0), [options.length, query]);

  const choose = (option: PaletteOption | undefined) => {
    if (!option) return;
    if (option.kind === 'channel') navigate(channelHref(option.channel.slug));
    else if (option.kind === 'message') navigate(messageHref(option.hit.channel.slug, option.hit.message.id));
    else {
      void direct.go([option.person.id]).then(closeSearch, () => undefined);
      return;
    }
    closeSearch();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (options.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (event.key === 'Enter' && !event.nativeEvent.isComposing) {
      event.preventDefault();
      choose(options[active]);
    }
  };

  // The active option stays in view as the arrows move it.
  const activeKey = options[active]?.key;
  useEffect(() => {
    if (activeKey) document.getElementById(optionId(listId, activeKey))?.scrollIntoView({ block: 'nearest' });
  }, [activeKey, listId]);

  const waiting = searchable && (text.trim() !== query || messages.isFetching || people.isFetching);
  const failed = searchable && messages.isError && !messages.isFetching;
  let status: string | null = null;
  if (!text.trim())
    status = `Type to find messages, or jump to a channel or a person. ↑ ↓ move, Enter opens, Esc closes (${shortcutLabel()} from anywhere).`;
  else if (options.length === 0 && !waiting && !failed)
    status = `Nothing matches “${text.trim()}”. Try fewer or shorter words; "quotes" find a phrase and -word leaves one out.`;

  const groups: { label: string; kind: PaletteOption['kind'] }[] = [
    { label: 'Channels', kind: 'channel' },
    { label: 'People', kind: 'person' },
    { label: 'Messages', kind: 'message' },
  ];

  return (
    <div className="search-body">
      <div className="search-field">
        <input
          // biome-ignore lint/a11y/noAutofocus: the palette was opened to type in it
          autoFocus
          className="search-input"
          type="search"
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-activedescendant={activeKey ? optionId(listId, activeKey) : undefined}
          aria-autocomplete="list"
          aria-label="Search messages, channels and people"
          placeholder="Search messages, channels and people"
          maxLength={SEARCH_LIMITS.query.max}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          data-testid="search-input"
        />
        {waiting && <span className="muted small">Searching…</span>}
      </div>
      <div className="search-results" id={listId} role="listbox" aria-label="Results">
        {groups.map(({ label, kind }) => {
          const inGroup = options.filter((o) => o.kind === kind);
          if (inGroup.length === 0) return null;
          return (
            // biome-ignore lint/a11y/useSemanticElements: a group of a listbox's options (ARIA), not a form's fieldset
            <div key={kind} role="group" aria-label={label} className="search-group">
              <div className="search-group-label" aria-hidden="true">
                {label}
              </div>
              {inGroup.map((option) => {
                const index = options.indexOf(option);
                return (
                  // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox input handles the keys (arrows, Enter)
                  <div
                    key={option.key}
                    id={optionId(listId, option.key)}
                    role="option"
                    tabIndex={-1}
                    aria-selected={index === active}
                    className={`search-option${index === active ? ' active' : ''}`}
                    onMouseMove={() => setActive(index)}
                    // Keep the focus in the field.
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => choose(option)}
                    data-testid="search-option"
                    data-kind={option.kind}
                  >
                    <OptionView option={option} channels={channels} me={me} />
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
      {failed && (
        <p className="form-error search-status" role="alert" data-testid="search-error">
          Search failed: {errorMessage(messages.error)}
        </p>
      )}
      {direct.error && (
        <p className="form-error search-status" role="alert">
          Couldn’t open the conversation: {errorMessage(direct.error)}
        </p>
      )}
      {status && (
        <p className="muted search-status" data-testid="search-empty">
          {status}
        </p>
      )}
    </div>
  );
}

const optionId = (listId: string, key: string) => `${listId}-${key.replace(/[^\w-]/g, '_')}`;

function OptionView({ option, channels, me }: { option: PaletteOption; channels?: ChannelSummary[]; me: User }) {
  if (option.kind === 'channel') {
    const { channel } = option;
    return (
      <span className="search-line">
        <ChannelIcon channel={channel} />
        <span className="search-title">{conversationName(channel, me.id)}</span>
        {!isDirect(channel) && channel.name !== channel.slug && <span className="muted small">{channel.name}</span>}
        {!channel.joined && <span className="tag">not joined</span>}
      </span>
    );
  }
  if (option.kind === 'person') {
    const { person } = option;
    return (
      <span className="search-line">
        <Avatar name={person.displayName} />
        <span className="search-title">{person.displayName}</span>
        <span className="muted small">@{person.handle}</span>
      </span>
    );
  }
  return <HitView hit={option.hit} channels={channels} me={me} />;
}

function HitView({ hit, channels, me }: { hit: SearchHit; channels?: ChannelSummary[]; me: User }) {
  const known = channels?.find((c) => c.id === hit.channel.id);
  const place = known ? conversationName(known, me.id) : `#${hit.channel.slug}`;
  const author = hit.message.role === 'assistant' ? 'Assistant' : (hit.message.author?.displayName ?? 'Deleted user');
  return (
    <span className="search-hit">
      <span className="search-line small">
        <span className="search-title" data-testid="search-hit-channel">
          {place}
        </span>
        <span data-testid="search-hit-author">{author}</span>
        <time className="muted" dateTime={hit.message.createdAt}>
          {shortTime(hit.message.createdAt)}
        </time>
      </span>
      <span className="search-snippet" data-testid="search-hit-snippet">
        {snippetParts(hit.snippet, hit.highlights).map((part, i) =>
          part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>,
        )}
      </span>
    </span>
  );
}

function ChannelIcon({ channel }: { channel: ChannelSummary }) {
  return (
    <span className="search-icon" aria-hidden="true">
      {isDirect(channel) ? <UsersIcon /> : channel.visibility === 'private' ? <LockIcon /> : <HashIcon />}
    </span>
  );
}
