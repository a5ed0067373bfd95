import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { useHash } from '../lib/router';

export interface Drawer {
  open: boolean;
  show(): void;
  /** `restoreFocus`: back to the menu button (Escape, a tap outside), not when a link takes you elsewhere. */
  close(restoreFocus?: boolean): void;
  menuButton: RefObject<HTMLButtonElement | null>;
}

/** Where the sidebar is a drawer: the same width as the media query in shell-extras.css. */
const PHONE_QUERY = '(max-width: 760px)';

/**
 * The sidebar as a drawer on a phone. It is open only on the page it was
 * opened on, so following any link closes it; Escape, a tap outside and
 * growing past phone width close it too.
 */
export function useDrawer(): Drawer {
  const hash = useHash();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  const open = openOn === hash;
  const close = (restoreFocus = false) => {
    setOpenOn(null);
    if (restoreFocus) menuButton.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (e: KeyboardEvent) => {
      // A dialog opened from the drawer (new channel) takes its own Escape.
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      setOpenOn(null);
      menuButton.current?.focus();
    };
    // Turned to landscape or a wider window: no drawer there, and nothing may stay inert.
    const phone = window.matchMedia(PHONE_QUERY);
    const onResize = () => {
      if (!phone.matches) setOpenOn(null);
    };
    document.addEventListener('keydown', onKeyDown);
    phone.addEventListener('change', onResize);
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      phone.removeEventListener('change', onResize);
    };
  }, [open]);

  return { open, show: () => setOpenOn(hash), close, menuButton };
}

/**
 * Holds the sidebar. On a desktop it is invisible to the layout (display:
 * contents); on a phone the sidebar inside slides in over the page, with a
 * backdrop that closes it. Choosing a link in it closes it, even the page
 * you are on.
 */
export function SidebarDrawer({ drawer, children }: { drawer: Drawer; children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);

  // Opening moves focus into the drawer: to where you are, else its first link.
  useEffect(() => {
    if (!drawer.open) return;
    const here = frame.current?.querySelector<HTMLElement>('[aria-current="page"]');
    (here ?? frame.current?.querySelector<HTMLElement>('a[href], button'))?.focus();
  }, [drawer.open]);

  return (
    <>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the click is caught from the links inside, which have their own keys */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: same: it only listens for a link being chosen */}
      <div
        className="sidebar-drawer"
        id="sidebar-drawer"
        data-open={drawer.open || undefined}
        ref={frame}
        onClick={(e) => {
          if (drawer.open && (e.target as Element).closest('a[href]')) drawer.close();
        }}
      >
        {children}
      </div>
      {drawer.open && (
        // The keyboard's way out is Escape; this is the tap outside.
        <div
          className="drawer-backdrop"
          aria-hidden="true"
          onClick={() => drawer.close(true)}
          data-testid="drawer-backdrop"
        />
      )}
    </>
  );
}

/** The phone's top bar: the button that opens the sidebar, with your unread count on it. */
export function PhoneBar({ drawer, unread }: { drawer: Drawer; unread: number }) {
  return (
    <div className="phone-bar">
      <button
        type="button"
        ref={drawer.menuButton}
        className="icon-button menu-button"
        aria-expanded={drawer.open}
        aria-controls="sidebar-drawer"
        aria-label={unread > 0 ? `Channels and pages, ${unread} unread` : 'Channels and pages'}
        onClick={() => (drawer.open ? drawer.close(true) : drawer.show())}
        data-testid="menu-button"
      >
        <svg
          width="20"
          height="20"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          aria-hidden="true"
          focusable="false"
        >
          <path d="M4 6h16M4 12h16M4 18h16" />
        </svg>
        {unread > 0 && (
          <span className="menu-unread" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      <span className="brand phone-brand">
        <span className="brand-mark" aria-hidden="true" />
        Hubbub
      </span>
    </div>
  );
}
