import { LIMITS } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTRPC } from '../../trpc';
import { AssistantAvatar } from './assistant-avatar';
import { ASSISTANT_MENTION, acceptMention, mentionAt, mentionsAssistant } from './composer-mention';
import { useDraftText } from './local-chat';
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
  // Kept per channel in this browser: switching channels or reloading loses nothing typed.
  const [text, setText] = useDraftText(channel.id);
  const area = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const typing = useMutation(trpc.channel.typing.mutationOptions({ meta: { inlineErrors: true } }));
  // Where the caret is, for the @assistant completion; and the text at which Esc closed it.
  const [caret, setCaret] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const moveCaretTo = useRef<number | null>(null);

  // Opening a channel puts the cursor where you write: after a restored draft.
  useEffect(() => {
    const el = area.current;
    if (!canPost || !el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, [canPost]);

  // Grow with the text up to a limit, then scroll.
  // Re-measure whenever the text changes.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_ROWS_PX)}px`;
  }, [text]);

  // After a completion replaced the text, put the caret after the inserted mention.
  useLayoutEffect(() => {
    const el = area.current;
    const at = moveCaretTo.current;
    if (!el || at === null) return;
    moveCaretTo.current = null;
    el.setSelectionRange(at, at);
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
  const mention = dismissedAt === text ? null : mentionAt(text, caret);
  const asksAssistant = mentionsAssistant(text);

  const complete = () => {
    if (!mention) return;
    const next = acceptMention(text, mention);
    moveCaretTo.current = next.caret;
    setCaret(next.caret);
    onChange(next.text);
    area.current?.focus();
  };

  const submit = () => {
    const content = text.trim();
    if (!content || tooLong) return;
    onSend(content);
    setText('');
    lastTyping.current = 0;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention && !e.nativeEvent.isComposing) {
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) {
        e.preventDefault();
        complete();
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissedAt(text);
        return;
      }
    }
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
      <div className="mention-anchor">
        {mention && (
          <div
            className="mention-menu"
            id="composer-mentions"
            role="listbox"
            aria-label="Mention"
            data-testid="mention-menu"
          >
            {/* biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard path is Tab/Enter in the textarea (aria-activedescendant) */}
            <div
              className="mention-option"
              id="composer-mention-assistant"
              role="option"
              tabIndex={-1}
              aria-selected="true"
              // Keep focus (and the caret) in the textarea.
              onMouseDown={(e) => e.preventDefault()}
              onClick={complete}
              data-testid="mention-assistant"
            >
              <AssistantAvatar size="sm" />
              <span className="mention-option-text">
                <strong>{ASSISTANT_MENTION}</strong>
                <span>Ask the AI assistant; it replies in this channel</span>
              </span>
              <kbd>Tab</kbd>
            </div>
          </div>
        )}
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
            onChange={(e) => {
              setCaret(e.target.selectionStart);
              onChange(e.target.value);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            aria-autocomplete="list"
            aria-controls={mention ? 'composer-mentions' : undefined}
            aria-activedescendant={mention ? 'composer-mention-assistant' : undefined}
            aria-describedby="composer-hint"
            aria-invalid={tooLong || undefined}
            data-testid="composer"
          />
          <button type="submit" className="button primary send" disabled={!text.trim() || tooLong} aria-label="Send">
            Send
          </button>
        </form>
      </div>
      <p className="composer-hint" id="composer-hint" data-testid="composer-hint">
        {tooLong ? (
          <span className="field-error">
            {text.length - LIMITS.message} characters over the {LIMITS.message} limit.
          </span>
        ) : asksAssistant ? (
          <>
            <span className="assistant-hint">The assistant will reply to this message</span> · <kbd>Enter</kbd> to send
            · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </>
        ) : (
          <>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · type{' '}
            <code className="hint-code">{ASSISTANT_MENTION}</code> to ask the AI
          </>
        )}
      </p>
    </div>
  );
}
