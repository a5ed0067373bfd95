import { LIMITS } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../trpc';
import type { ChannelSummary } from './types';
import { TypingIndicator } from './typing-indicator';

interface ComposerProps {
  channel: ChannelSummary;
  canPost: boolean;
  canJoin: boolean;
  onSend(content: string): void;
  onJoin(): void;
  joining: boolean;
}

/** The server drops typing notices closer than 2 s apart; sending more is wasted traffic. */
const TYPING_EVERY_MS = 2000;
const MAX_ROWS_PX = 200;

/** Enter sends, Shift+Enter adds a line; read-only channels explain why. */
export function Composer({ channel, canPost, canJoin, onSend, onJoin, joining }: ComposerProps) {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const typing = useMutation(trpc.channel.typing.mutationOptions({ meta: { inlineErrors: true } }));

  // Opening a channel puts the cursor where you write.
  useEffect(() => {
    if (canPost) area.current?.focus();
  }, [canPost]);

  // Grow with the text up to a limit, then scroll.
  // Re-measure whenever the text changes.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [text]);

  if (!canPost) {
    return (
      <div className="composer composer-disabled" data-testid="composer-disabled">
        {channel.archivedAt ? (
          <p>This channel is archived: you can read its history, but nobody can post here anymore.</p>
        ) : canJoin ? (
          <>
            <p>You’re reading #{channel.slug}. Join the channel to post messages.</p>
            <button type="button" className="button primary" onClick={onJoin} disabled={joining}>
              {joining ? 'Joining…' : `Join #${channel.slug}`}
            </button>
          </>
        ) : (
          <p>Only members can post in this channel.</p>
        )}
      </div>
    );
  }

  const tooLong = text.length > LIMITS.message;
  const submit = () => {
    const content = text.trim();
    if (!content || tooLong) return;
    onSend(content);
    setText('');
    lastTyping.current = 0;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onChange = (value: string) => {
    setText(value);
    const now = Date.now();
    if (value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now;
      typing.mutate({ channelId: channel.id });
    }
  };

  return (
    <div className="composer-wrap">
      <TypingIndicator channelId={channel.id} />
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="composer-input" className="visually-hidden">
          Message #{channel.slug}
        </label>
        <textarea
          id="composer-input"
          ref={area}
          rows={1}
          value={text}
          placeholder={`Message #${channel.slug}`}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby="composer-hint"
          aria-invalid={tooLong || undefined}
          data-testid="composer"
        />
        <button type="submit" className="button primary send" disabled={!text.trim() || tooLong} aria-label="Send">
          Send
        </button>
      </form>
      <p className="composer-hint" id="composer-hint">
        {tooLong ? (
          <span className="field-error">
            {text.length - LIMITS.message} characters over the {LIMITS.message} limit.
          </span>
        ) : (
          <>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · mention @assistant to ask the
            assistant
          </>
        )}
      </p>
    </div>
  );
}
