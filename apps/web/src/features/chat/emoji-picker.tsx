import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { EMOJI, type EmojiEntry, searchEmoji } from './emoji-data';
import { browserStorage } from './local-storage';
import { recentEmoji } from './recent-emoji';

const COLUMNS = 8;

interface EmojiPickerProps {
  userId: string;
  onPick(emoji: string): void;
  onClose(): void;
}

/**
 * A small emoji picker: a search box over a grid of common emoji, the person's
 * recent picks first (kept in this browser, per person). Arrow keys move in
 * the grid, Enter picks, Escape closes.
 */
export function EmojiPicker({ userId, onPick, onClose }: EmojiPickerProps) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const grid = useRef<HTMLDivElement>(null);
  const recent = useMemo(() => recentEmoji(browserStorage(), userId).read(), [userId]);
  const shown: EmojiEntry[] = useMemo(() => {
    const found = searchEmoji(query);
    if (query.trim()) return found;
    const byEmoji = new Map(EMOJI.map((e) => [e.emoji, e]));
    const first = recent.flatMap((e) => byEmoji.get(e) ?? []);
    return [...first, ...found.filter((e) => !recent.includes(e.emoji))];
  }, [query, recent]);

  useEffect(() => setActive(0), [query]);

  const pick = (emoji: string) => {
    recentEmoji(browserStorage(), userId).add(emoji);
    onPick(emoji);
  };

  const focusCell = (index: number) => {
    const next = Math.max(0, Math.min(shown.length - 1, index));
    setActive(next);
    grid.current?.querySelectorAll<HTMLButtonElement>('button')[next]?.focus();
  };

  const onGridKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: COLUMNS,
      ArrowUp: -COLUMNS,
    };
    const move = moves[e.key];
    if (move !== undefined) {
      e.preventDefault();
      if (e.key === 'ArrowUp' && active < COLUMNS) {
        (e.currentTarget.parentElement?.querySelector('input') as HTMLInputElement | null)?.focus();
        return;
      }
      focusCell(active + move);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusCell(shown.length - 1);
    }
  };

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const first = shown[0];
      if (first) pick(first.emoji);
    }
  };

  return (
    <div
      className="emoji-picker"
      role="dialog"
      aria-label="Add reaction"
      data-testid="emoji-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        type="search"
        className="emoji-search"
        placeholder="Search emoji"
        aria-label="Search emoji"
        value={query}
        maxLength={40}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onSearchKey}
        // biome-ignore lint/a11y/noAutofocus: the picker the user just opened
        autoFocus
        data-testid="emoji-search"
      />
      {shown.length === 0 ? (
        <p className="emoji-empty muted small">No emoji found</p>
      ) : (
        // biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move between the emoji buttons inside
        <div className="emoji-grid" ref={grid} onKeyDown={onGridKey}>
          {shown.map((entry, i) => (
            <button
              key={entry.emoji}
              type="button"
              className="emoji-cell"
              title={entry.name.split(' ').slice(0, 3).join(' ')}
              aria-label={entry.name}
              tabIndex={i === active ? 0 : -1}
              onClick={() => pick(entry.emoji)}
              onFocus={() => setActive(i)}
              data-testid="emoji-option"
            >
              {entry.emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
