import { type Attachment, LIMITS } from '@hubbub/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { AttachButton } from '../files/attach-button';
import { UploadChips } from '../files/upload-chips';
import type { Uploads } from '../files/use-uploads';
import { AssistantAvatar } from './assistant-avatar';
import { ASSISTANT_MENTION, acceptMention, mentionAt, mentionOptions, mentionsAssistant } from './composer-mention';
import { useDraftText } from './local-chat';
import type { ChannelSummary } from './types';
import { TypingIndicator } from './typing-indicator';

interface ComposerProps {
  channel: ChannelSummary;
  /** How the conversation is called: "#design", or the people of a direct one. */
  place: string;
  /** Who is writing, and whether they may use @channel (the channel's owner, an admin). */
  me: { handle: string };
  mayMentionChannel: boolean;
  canPost: boolean;
  canJoin: boolean;
  /** The files attached to the message being written (the channel view owns them: files dropped on it land there). */
  uploads: Uploads;
  onSend(content: string, attachments: Attachment[]): void;
  onJoin(): void;
  joining: boolean;
}

/** The server drops typing notices closer than 2 s apart; sending more is wasted traffic. */
const TYPING_EVERY_MS = 2000;
const MAX_ROWS_PX = 200;

/** Enter sends, Shift+Enter adds a line; read-only channels explain why. */
export function Composer({
  channel,
  place,
  me,
  mayMentionChannel,
  canPost,
  canJoin,
  uploads,
  onSend,
  onJoin,
  joining,
}: ComposerProps) {
  const trpc = useTRPC();
  // Kept per channel in this browser: switching channels or reloading loses nothing typed.
  const [text, setText] = useDraftText(channel.id);
  const area = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const typing = useMutation(trpc.channel.typing.mutationOptions({ meta: { inlineErrors: true } }));
  // Where the caret is, for the @mention completion; the text at which Esc closed it; the option chosen.
  const [caret, setCaret] = useState(0);
  const [dismissedAt, setDismissedAt] = useState<string | null>(null);
  const [chosen, setChosen] = useState(0);
  const moveCaretTo = useRef<number | null>(null);
  const mention = canPost && dismissedAt !== text ? mentionAt(text, caret) : null;
  const people = useQuery(
    trpc.user.list.queryOptions(
      { query: mention?.query.replace(/[^\w.-]/g, '') || undefined, limit: 20 },
      { enabled: mention !== null, staleTime: 30_000, placeholderData: keepPreviousData },
    ),
  );
  const options = mention ? mentionOptions(mention.query, people.data ?? [], { mayMentionChannel, me: me.handle }) : [];
  const choice = options[Math.min(chosen, options.length - 1)];

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
  const asksAssistant = mentionsAssistant(text);

  const complete = (option = choice) => {
    if (!mention || !option) return;
    const next = acceptMention(text, mention, option.handle);
    setChosen(0);
    moveCaretTo.current = next.caret;
    setCaret(next.caret);
    onChange(next.text);
    area.current?.focus();
  };

  const sendable = (text.trim() || uploads.ready.length > 0) && !tooLong && !uploads.busy;
  const submit = () => {
    const content = text.trim();
    if (!sendable) return;
    onSend(content, uploads.ready);
    uploads.clear();
    setText('');
    lastTyping.current = 0;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention && choice && !e.nativeEvent.isComposing) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : options.length - 1;
        setChosen((options.indexOf(choice) + step) % options.length);
        return;
      }
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
        {mention && choice && (
          <div
            className="mention-menu"
            id="composer-mentions"
            role="listbox"
            aria-label="Mention"
            data-testid="mention-menu"
          >
            {options.map((option, i) => (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard path is arrows, Tab/Enter in the textarea (aria-activedescendant)
              <div
                key={option.handle}
                className="mention-option"
                id={`composer-mention-${i}`}
                role="option"
                tabIndex={-1}
                aria-selected={option === choice}
                // Keep focus (and the caret) in the textarea.
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => complete(option)}
                data-testid={option.kind === 'assistant' ? 'mention-assistant' : 'mention-option'}
              >
                {option.kind === 'assistant' ? (
                  <AssistantAvatar size="sm" />
                ) : (
                  <Avatar name={option.label.replace(/^@/, '')} size="sm" />
                )}
                <span className="mention-option-text">
                  <strong>{option.label}</strong>
                  <span>{option.kind === 'agent' ? `${option.hint} · agent` : option.hint}</span>
                </span>
                {option === choice && <kbd>Tab</kbd>}
              </div>
            ))}
          </div>
        )}
        <UploadChips uploads={uploads} />
        <form
          className="composer"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor="composer-input" className="visually-hidden">
            Message {place}
          </label>
          <textarea
            id="composer-input"
            ref={area}
            rows={1}
            value={text}
            placeholder={`Message ${place}`}
            onChange={(e) => {
              setCaret(e.target.selectionStart);
              onChange(e.target.value);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onPaste={(e) => {
              // A pasted screenshot (or copied files) is attached; pasted text goes in as usual.
              const files = [...e.clipboardData.files];
              if (files.length === 0) return;
              e.preventDefault();
              uploads.add(files);
            }}
            aria-autocomplete="list"
            aria-controls={choice ? 'composer-mentions' : undefined}
            aria-activedescendant={choice ? `composer-mention-${options.indexOf(choice)}` : undefined}
            aria-describedby="composer-hint"
            aria-invalid={tooLong || undefined}
            data-testid="composer"
          />
          <AttachButton onFiles={uploads.add} />
          <button type="submit" className="button primary send" disabled={!sendable} aria-label="Send">
            Send
          </button>
        </form>
      </div>
      <p className="composer-hint" id="composer-hint" data-testid="composer-hint">
        {tooLong ? (
          <span className="field-error">
            {text.length - LIMITS.message} characters over the {LIMITS.message} limit.
          </span>
        ) : uploads.busy ? (
          <span>Uploading files… the message can go once they are up.</span>
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
