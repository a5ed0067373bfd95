import { parseRoute } from '../../lib/router';
import { useCopy } from '../chat/use-copy';
import { permalinkUrl } from './permalink';

/** "Copy link" in a message's actions: its absolute permalink on the clipboard, then "Copied" for a moment. */
export function CopyLinkButton({ messageId }: { messageId: string }) {
  const { state, copy } = useCopy();
  const onClick = () => {
    // The message is shown in the channel the address names.
    const route = parseRoute(window.location.hash);
    if (route.name !== 'channel' || !route.slug) return;
    void copy(permalinkUrl(route.slug, messageId, window.location));
  };
  const label = state === 'copied' ? 'Link copied' : state === 'failed' ? 'Copy failed' : 'Copy link';
  return (
    <button
      type="button"
      className="icon-button copy-link"
      onClick={onClick}
      aria-label={label}
      title={label}
      data-testid="message-copy-link"
      data-state={state}
    >
      <LinkIcon />
    </button>
  );
}

const LinkIcon = () => (
  <svg width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
    <path d="M10 13a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5" />
    <path d="M14 11a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5" />
  </svg>
);
