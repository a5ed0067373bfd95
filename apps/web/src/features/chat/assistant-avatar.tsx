import './assistant.css';

/** The assistant's face: a sparkle on the accent gradient, unlike any person's initial. */
export function AssistantAvatar({ size = 'md' }: { size?: 'sm' | 'md' }) {
  return (
    <span className={`avatar avatar-${size} assistant-avatar`} aria-hidden="true" data-testid="assistant-avatar">
      <svg width="20" height="20" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
        <path d="M12 2.5c.4 0 .7.3.8.6l1.2 4.3a3.5 3.5 0 0 0 2.5 2.5l4.3 1.2a.8.8 0 0 1 0 1.6l-4.3 1.2a3.5 3.5 0 0 0-2.5 2.5l-1.2 4.3a.8.8 0 0 1-1.6 0l-1.2-4.3a3.5 3.5 0 0 0-2.5-2.5l-4.3-1.2a.8.8 0 0 1 0-1.6l4.3-1.2a3.5 3.5 0 0 0 2.5-2.5l1.2-4.3c.1-.3.4-.6.8-.6Z" />
        <path d="M19 2.2c.2 0 .3.1.4.3l.4 1.3c.1.4.4.7.8.8l1.3.4a.4.4 0 0 1 0 .8l-1.3.4c-.4.1-.7.4-.8.8l-.4 1.3a.4.4 0 0 1-.8 0l-.4-1.3a1.2 1.2 0 0 0-.8-.8l-1.3-.4a.4.4 0 0 1 0-.8l1.3-.4c.4-.1.7-.4.8-.8l.4-1.3c.1-.2.2-.3.4-.3Z" />
      </svg>
    </span>
  );
}
