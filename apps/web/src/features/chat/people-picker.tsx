import type { Person } from '@hubbub/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, type Ref, useId, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { addChosen, choosablePeople, fitsSearch, moveHighlight } from './people-choice';
import { useDebouncedValue } from './use-debounced-value';
import './people.css';

interface PeoplePickerProps {
  label: string;
  chosen: Person[];
  onChange(chosen: Person[]): void;
  /** People who cannot be chosen: already in the channel, or you. */
  excluded: ReadonlySet<string>;
  /** What the list says when nobody is left to choose and nothing was typed. */
  emptyText: string;
  max: number;
  inputRef?: Ref<HTMLInputElement>;
}

/** People per search, on top of the excluded ones (who would otherwise fill the first page). */
const SEARCH_PAGE = 20;
const SEARCH_PAGE_MAX = 100;

/**
 * Search people and agents as you type, choose with the arrows and Enter (or a click); the chosen
 * show as chips above the field. Enter with nothing typed and nothing highlighted submits the form.
 */
export function PeoplePicker({ label, chosen, onChange, excluded, emptyText, max, inputRef }: PeoplePickerProps) {
  const trpc = useTRPC();
  const ids = useId();
  const [query, setQuery] = useState('');
  // Set by the arrows; null: the first option, and only while something is typed.
  const [highlightedId, setHighlightedId] = useState<string | null>(null);
  // "@bo" finds bob too.
  const search = useDebouncedValue(query.trim().replace(/^@/, ''), 150);
  const limit = Math.min(SEARCH_PAGE_MAX, SEARCH_PAGE + excluded.size);
  const found = useQuery(
    trpc.user.list.queryOptions(search ? { query: search, limit } : { limit }, {
      placeholderData: keepPreviousData,
      staleTime: 30_000,
    }),
  );

  // Until the answer for what is typed arrives, the previous one is narrowed down to what fits.
  const fresh = !found.isPlaceholderData && search === query.trim().replace(/^@/, '');
  const shown = fresh ? (found.data ?? []) : (found.data ?? []).filter((p) => fitsSearch(p, query));
  const options = choosablePeople(shown, excluded, chosen);
  const full = chosen.length >= max;
  const picked = options.findIndex((p) => p.id === highlightedId);
  const index = picked >= 0 ? picked : options.length > 0 ? 0 : -1;
  const active = !full && index >= 0 && (highlightedId !== null || query.trim() !== '');
  const current = active ? options[index] : undefined;
  const optionId = (person: Person) => `${ids}-option-${person.id}`;

  const choose = (person: Person) => {
    onChange(addChosen(chosen, person, max));
    setQuery('');
    setHighlightedId(null);
  };
  const unchoose = (person: Person) => onChange(chosen.filter((p) => p.id !== person.id));

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = moveHighlight(active ? index : -1, e.key === 'ArrowDown' ? 1 : -1, options.length);
      setHighlightedId(options[next]?.id ?? null);
    } else if (e.key === 'Enter' && current && !e.nativeEvent.isComposing) {
      e.preventDefault();
      choose(current);
    } else if (e.key === 'Backspace' && query === '' && chosen.length > 0) {
      const last = chosen.at(-1);
      if (last) unchoose(last);
    } else if (e.key === 'Escape' && (query !== '' || highlightedId !== null)) {
      // First Escape clears the search; the next one closes the dialog.
      e.preventDefault();
      setQuery('');
      setHighlightedId(null);
    }
  };

  let status: string | null = null;
  if (full) status = `That is as many as one go can take (${max}).`;
  else if (found.isPending || (!fresh && options.length === 0)) status = 'Searching…';
  else if (options.length === 0)
    status = search ? `Nobody found for “${search}”. Try another name or @handle.` : emptyText;

  return (
    <div className="people-picker">
      <label htmlFor={`${ids}-input`} className="picker-label">
        {label}
      </label>
      {chosen.length > 0 && (
        <ul className="picker-chips" aria-label="Chosen" data-testid="people-chosen">
          {chosen.map((person) => (
            <li key={person.id} className="picker-chip" data-handle={person.handle}>
              <span>{person.displayName}</span>
              <button
                type="button"
                className="picker-chip-remove"
                onClick={() => unchoose(person)}
                aria-label={`Remove ${person.displayName}`}
                title="Remove"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={`${ids}-input`}
        ref={inputRef}
        className="picker-input"
        role="combobox"
        type="text"
        value={query}
        maxLength={64}
        autoComplete="off"
        spellCheck={false}
        placeholder="Search by name or @handle"
        onChange={(e) => {
          setQuery(e.target.value);
          setHighlightedId(null);
        }}
        onKeyDown={onKeyDown}
        aria-autocomplete="list"
        aria-expanded={options.length > 0 && !full}
        aria-controls={options.length > 0 && !full ? `${ids}-list` : undefined}
        aria-activedescendant={current ? optionId(current) : undefined}
        aria-describedby={`${ids}-help`}
        data-testid="people-search"
      />
      <p className="field-hint" id={`${ids}-help`}>
        <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to add; <kbd>Backspace</kbd> in an empty field removes the
        last one.
      </p>
      {found.isError ? (
        <p className="field-error" role="alert">
          Could not search: {errorMessage(found.error)}
        </p>
      ) : (
        status && (
          <p className="picker-status muted small" role="status">
            {status}
          </p>
        )
      )}
      {!full && options.length > 0 && (
        <div className="picker-options" id={`${ids}-list`} role="listbox" aria-label="People">
          {options.map((person) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard path is the arrows and Enter in the field (aria-activedescendant)
            <div
              key={person.id}
              id={optionId(person)}
              className="picker-option"
              role="option"
              tabIndex={-1}
              aria-selected={person.id === current?.id}
              // Keep focus in the field.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(person)}
              data-testid="people-option"
              data-handle={person.handle}
            >
              <Avatar name={person.displayName} size="sm" />
              <span className="picker-names">
                <span className="picker-display">{person.displayName}</span>
                <span className="muted small">@{person.handle}</span>
              </span>
              {person.role === 'agent' && <span className="tag">agent</span>}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
