import type { Role, User } from '@hubbub/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, type RefObject, useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { useOpenDirect } from './use-open-direct';
import './people.css';

/** Who a card is about: what a member row or a message author knows; the role is looked up when unknown. */
export interface CardPerson {
  id: string;
  handle: string;
  displayName: string;
  role?: Role;
}

interface PersonButtonProps {
  person: CardPerson;
  me: User;
  className?: string;
  /** The button's accessible name when its content says more (or less) than the person's name. */
  label?: string;
  testId?: string;
  children: ReactNode;
}

/** A person's name (or row) as a button that opens their profile card. */
export function PersonButton({ person, me, className, label, testId, children }: PersonButtonProps) {
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={trigger}
        type="button"
        className={`person-button${className ? ` ${className}` : ''}`}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
        data-testid={testId}
      >
        {children}
      </button>
      {open && (
        <ProfileCard
          person={person}
          me={me}
          anchor={trigger}
          onClose={(returnFocus) => {
            setOpen(false);
            if (returnFocus) trigger.current?.focus();
          }}
        />
      )}
    </>
  );
}

const GAP = 6;
const MARGIN = 8;

/** Below the button, or above it when there is no room; always inside the window. */
function placeCard(anchor: DOMRect, card: { width: number; height: number }) {
  const below = anchor.bottom + GAP;
  const top = below + card.height > window.innerHeight - MARGIN ? anchor.top - GAP - card.height : below;
  const left = Math.min(anchor.left, window.innerWidth - MARGIN - card.width);
  return { top: Math.max(MARGIN, top), left: Math.max(MARGIN, left) };
}

interface ProfileCardProps {
  person: CardPerson;
  me: User;
  anchor: RefObject<HTMLButtonElement | null>;
  /** returnFocus: closed by Escape, so the keyboard goes back to the button. */
  onClose(returnFocus: boolean): void;
}

/**
 * A small non-modal card (fixed, in a portal on the body, so no scrolling panel clips it): who this is,
 * and a way to write to them. Escape closes it (focus back on the button), so does a click or focus elsewhere.
 */
function ProfileCard({ person, me, anchor, onClose }: ProfileCardProps) {
  const trpc = useTRPC();
  const card = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const direct = useOpenDirect();
  const isMe = person.id === me.id;
  // Member rows and messages carry no account role: find it by handle (a search by its start), then by id.
  const lookup = useQuery(
    trpc.user.list.queryOptions({ query: person.handle, limit: 20 }, { enabled: !person.role, staleTime: 60_000 }),
  );
  const role = person.role ?? lookup.data?.find((p) => p.id === person.id)?.role;

  // Follow the button while the page scrolls under it.
  useLayoutEffect(() => {
    const reposition = () => {
      const button = anchor.current;
      const el = card.current;
      if (!button || !el) return;
      setPlace(placeCard(button.getBoundingClientRect(), { width: el.offsetWidth, height: el.offsetHeight }));
    };
    reposition();
    window.addEventListener('resize', reposition);
    document.addEventListener('scroll', reposition, true);
    return () => {
      window.removeEventListener('resize', reposition);
      document.removeEventListener('scroll', reposition, true);
    };
  }, [anchor]);

  // The keyboard lands in the card once it is placed (hidden, it cannot take focus): on its button, or
  // the card itself on your own.
  const focused = useRef(false);
  useEffect(() => {
    const el = card.current;
    if (!place || !el || focused.current) return;
    focused.current = true;
    (el.querySelector<HTMLElement>('button') ?? el).focus();
  }, [place]);

  useEffect(() => {
    const inside = (target: EventTarget | null) =>
      target instanceof Node && (card.current?.contains(target) || anchor.current?.contains(target));
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose(true);
      }
    };
    const onPointer = (e: MouseEvent) => {
      if (!inside(e.target)) onClose(false);
    };
    const onFocus = (e: FocusEvent) => {
      if (!inside(e.target)) onClose(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onPointer);
    document.addEventListener('focusin', onFocus);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onPointer);
      document.removeEventListener('focusin', onFocus);
    };
  }, [anchor, onClose]);

  const message = async () => {
    try {
      await direct.go([person.id]);
      onClose(false);
    } catch {
      // Shown below the button (direct.error).
    }
  };

  return createPortal(
    <div
      ref={card}
      className="profile-card"
      role="dialog"
      aria-labelledby={titleId}
      tabIndex={-1}
      style={place ? { top: place.top, left: place.left } : { visibility: 'hidden' }}
      data-testid="profile-card"
    >
      <div className="profile-head">
        <Avatar name={person.displayName} />
        <div className="profile-names">
          <h2 id={titleId} className="profile-name">
            {person.displayName}
          </h2>
          <p className="profile-handle">@{person.handle}</p>
        </div>
      </div>
      <p className="profile-role">
        {role ? (
          <span className="tag" data-testid="profile-role">
            {role}
          </span>
        ) : (
          lookup.isFetching && <span className="muted small">…</span>
        )}
        {isMe && <span className="muted small">This is you.</span>}
      </p>
      {!isMe && (
        <button
          type="button"
          className="button primary profile-message"
          onClick={() => void message()}
          disabled={direct.pending}
          data-testid="profile-message"
        >
          {direct.pending ? 'Opening…' : 'Message'}
        </button>
      )}
      {direct.error && (
        <p className="field-error" role="alert">
          {errorMessage(direct.error)}
        </p>
      )}
    </div>,
    document.body,
  );
}
