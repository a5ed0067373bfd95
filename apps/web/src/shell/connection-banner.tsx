import { useEffect, useState } from 'react';
import { useWaitingCount } from '../features/chat/local-chat';
import { useConnectionStatus } from './use-connection-status';

/** Blips shorter than this (a server restart, a network switch) pass without a banner; the badge still shows them. */
export const BANNER_AFTER_MS = 2000;

/** Whether `condition` has held for `ms` without a break. */
function useLasting(condition: boolean, ms: number): boolean {
  const [lasted, setLasted] = useState(false);
  useEffect(() => {
    setLasted(false);
    if (!condition) return;
    const timer = setTimeout(() => setLasted(true), ms);
    return () => clearTimeout(timer);
  }, [condition, ms]);
  return condition && lasted;
}

/**
 * Says, across the top of the page, that the link is down and what happens
 * to what you send meanwhile: the small badge in the sidebar is easy to miss
 * (and hidden on a phone).
 */
export function ConnectionBanner() {
  const { status } = useConnectionStatus();
  // 'connecting' too: a page (re)loaded while the link is down has never been connected.
  const shown = useLasting(status !== 'connected', BANNER_AFTER_MS);
  const waiting = useWaitingCount();
  if (!shown) return null;
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      <span className="connection-banner-dot" aria-hidden="true" />
      <span>
        <strong>
          {status === 'connecting' ? 'Not connected yet: still trying…' : 'Connection lost: reconnecting…'}
        </strong>{' '}
        {waiting > 0
          ? `${waiting === 1 ? 'Your message' : `${waiting} messages`} will be sent when it’s back.`
          : 'What you send meanwhile goes out when it’s back.'}
      </span>
    </div>
  );
}
