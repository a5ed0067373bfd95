import type { User } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { errorCode, errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { RegenerateIcon, StopIcon } from '../../ui/icons';
import {
  canRegenerateReply,
  canStopReply,
  failureReason,
  type ReplyState,
  replyState,
  type ShownVersion,
  usageLine,
  waitingText,
} from './assistant-reply';
import { useChatLive } from './live-context';
import type { Message } from './types';
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

/** Before the first word: a quiet sign that the reply is on its way. */
export function AssistantThinking() {
  return (
    <span className="assistant-thinking" data-testid="assistant-thinking">
      Thinking
      <span className="assistant-thinking-dots" aria-hidden="true">
        <span>.</span>
        <span>.</span>
        <span>.</span>
      </span>
    </span>
  );
}

/** In line for the model (more replies are being written than the server allows at once): where it stands. */
export function AssistantWaiting({ position }: { position: number }) {
  return (
    <span className="assistant-thinking assistant-waiting" data-testid="assistant-waiting">
      {waitingText(position)}
    </span>
  );
}

/** A failed reply keeps its partial text; this line says why it stopped. */
export function AssistantError({ message }: { message: Message }) {
  return (
    <p className="assistant-error" data-testid="assistant-error">
      <svg
        width="14"
        height="14"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
        aria-hidden="true"
        focusable="false"
      >
        <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z" />
        <path d="M12 9v4M12 17h.01" />
      </svg>
      <span>
        <strong>Reply failed:</strong> {failureReason(message.meta)}
      </span>
    </p>
  );
}

/** The versions of a regenerated reply, and which one is on screen. */
export interface VersionView {
  /** 0-based; the last is the current text. */
  index: number;
  count: number;
  /** The earlier version on screen (null: the current text is). */
  earlier: ShownVersion | null;
  pick(index: number): void;
}

interface FooterProps {
  message: Message;
  me: User;
  canPost: boolean;
  /** Set when the reply has more than one version. */
  versions?: VersionView | null;
}

const STATE_LABEL = { stopped: 'Stopped', failed: 'Failed' } as const;

const versionState = (status: Message['status']): ReplyState =>
  status === 'cancelled' ? 'stopped' : status === 'failed' ? 'failed' : 'complete';

/** "‹ 2/3 ›": flips between a regenerated reply's versions. */
function VersionPager({ versions }: { versions: VersionView }) {
  const { index, count, pick } = versions;
  return (
    <span className="assistant-versions" data-testid="assistant-versions">
      <button
        type="button"
        className="assistant-version-step"
        onClick={() => pick(index - 1)}
        disabled={index === 0}
        aria-label="Previous version"
        title="Previous version"
        data-testid="assistant-version-prev"
      >
        ‹
      </button>
      <span className="assistant-version" data-testid="assistant-version" title={`Version ${index + 1} of ${count}`}>
        {index + 1}/{count}
      </span>
      <button
        type="button"
        className="assistant-version-step"
        onClick={() => pick(index + 1)}
        disabled={index === count - 1}
        aria-label="Next version"
        title="Next version"
        data-testid="assistant-version-next"
      >
        ›
      </button>
    </span>
  );
}

/**
 * Under a reply: its state when it did not finish normally, the model and
 * token count, and what you may do with it (Stop while it streams or waits,
 * Regenerate after, flip between versions).
 */
export function AssistantFooter({ message, me, canPost, versions = null }: FooterProps) {
  const trpc = useTRPC();
  const live = useChatLive();
  const stop = useMutation(
    trpc.message.cancel.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: (stopped) => live.confirm(stopped),
    }),
  );
  // No confirm from the answer: the channel stream brings the reset and the new text, and a
  // quick model's final update can arrive before this answer, which would roll the reply back.
  const regenerate = useMutation(trpc.message.retry.mutationOptions({ meta: { inlineErrors: true } }));

  const earlier = versions?.earlier ?? null;
  const state = earlier ? versionState(earlier.status) : replyState(message);
  const usage = earlier ? (earlier.model ?? null) : usageLine(message.meta);
  const showStop = canStopReply(message, me);
  const showRegenerate = canRegenerateReply(message, me, canPost);
  // Stopping a reply that finished a moment earlier is no failure worth a word.
  const stopError = stop.error && errorCode(stop.error) !== 'CONFLICT' ? errorMessage(stop.error) : null;
  const error = stopError ?? (regenerate.error ? errorMessage(regenerate.error) : null);
  const label = state === 'stopped' || state === 'failed' ? STATE_LABEL[state] : null;

  return (
    <div className="assistant-footer" data-testid="assistant-footer" data-state={state}>
      {(state === 'waiting' || state === 'thinking' || state === 'writing') && (
        <span className="visually-hidden">Still writing.</span>
      )}
      {label && (
        <span className={`assistant-status is-${state}`} data-testid="assistant-status">
          {label}
        </span>
      )}
      {usage && (
        <span className="assistant-usage" data-testid="assistant-usage">
          {usage}
        </span>
      )}
      {showStop && (
        <button
          type="button"
          className="assistant-action is-stop"
          onClick={() => stop.mutate({ messageId: message.id })}
          disabled={stop.isPending}
          data-testid="assistant-stop"
          title="Stop writing; the text so far is kept"
        >
          <StopIcon /> Stop
        </button>
      )}
      {versions && <VersionPager versions={versions} />}
      {showRegenerate && (
        <button
          type="button"
          className="assistant-action"
          onClick={() => {
            stop.reset();
            regenerate.mutate({ messageId: message.id });
          }}
          disabled={regenerate.isPending}
          data-testid="assistant-regenerate"
          title="Write this reply again"
        >
          <RegenerateIcon /> Regenerate
        </button>
      )}
      {error && (
        <span className="field-error assistant-action-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
