import type { User } from '@hubbub/core';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { toast } from '../../lib/toast';
import { Avatar } from '../../ui/avatar';
import { session } from './session';

interface UserMenuProps {
  me: User;
  /** Menu items other features offer (the shell passes them: features do not import each other). */
  extraItems?: ReactNode;
  /** Runs before signing out, failures ignored (notifications: this browser stops receiving pushes). */
  beforeLogout?: () => Promise<void>;
}

/** Who you are, your settings, and the way out. */
export function UserMenu({ me, extraItems, beforeLogout }: UserMenuProps) {
  const [open, setOpen] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);

  // Close on outside click or Escape, like any menu.
  useEffect(() => {
    if (!open) return;
    const onClick = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  // The server ends the session first; if it cannot be reached we stay signed in and say so.
  const leave = async (how: 'here' | 'everywhere') => {
    setLeaving(true);
    try {
      await beforeLogout?.().catch(() => {});
      await (how === 'here' ? session.logout() : session.logoutEverywhere());
    } catch (error) {
      toast(`Could not log out: ${errorMessage(error)}`);
      setLeaving(false);
    }
  };

  return (
    <div className="user-menu" ref={root}>
      {open && (
        <div className="menu" id={menuId} role="menu">
          <div className="menu-info">
            Signed in as <strong>@{me.handle}</strong>
            {me.role === 'admin' && <span className="tag">admin</span>}
          </div>
          {/* Choosing one of them closes the menu. */}
          {extraItems && (
            // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the items inside are buttons; this only closes the menu after one is chosen
            <div onClick={() => setOpen(false)}>{extraItems}</div>
          )}
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => void leave('here')}
            disabled={leaving}
            data-testid="logout"
          >
            Log out
          </button>
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => void leave('everywhere')}
            disabled={leaving}
            title="Ends your sessions in every browser and on every device"
            data-testid="logout-everywhere"
          >
            Log out everywhere
          </button>
        </div>
      )}
      <button
        type="button"
        className="user-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="user-menu"
      >
        <Avatar name={me.displayName} />
        <span className="user-names">
          <span className="user-display">{me.displayName}</span>
          <span className="user-handle">@{me.handle}</span>
        </span>
        <span aria-hidden="true" className="chevron">
          ⌃
        </span>
      </button>
    </div>
  );
}
