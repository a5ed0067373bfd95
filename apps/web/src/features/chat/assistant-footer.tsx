import type { User } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { errorCode, errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { RegenerateIcon, StopIcon } from '../../ui/icons';
import {
  canRegenerateReply,
  canStopReply,
  type ReplyState,
  replyState,
  type ShownVersion,
  usageLine,
} from './assistant-reply';
import { useChatLive } from './live-context';
import type { Message } from './types';
import { copyLabel, useCopy } from './use-copy';
import './assistant.css';

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
 * Copy, Regenerate after, flip between versions).
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
  // The text on screen (an earlier version, if one is), once it is written: its Markdown as the model wrote it.
  const copyable = state === 'complete' || state === 'stopped' ? (earlier?.text ?? message.content) : '';
  const copied = useCopy();

  return (
    <div className="assistant-footer" data-testid="assistant-footer" data-state={state}>
      {(state === 'waiting' || state === 'thinking' || state === 'writing') && (
        <span className="visually-hidden">Still writing.</span>
      )}
      {state === 'awaiting-approval' && <span className="visually-hidden">Waiting for approval.</span>}
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
      {copyable && (
        <button
          type="button"
          className={`assistant-action${copied.state === 'idle' ? '' : ` is-${copied.state}`}`}
          onClick={() => copied.copy(copyable)}
          data-testid="assistant-copy"
          title="Copy this reply as Markdown"
          aria-label={copied.state === 'idle' ? 'Copy reply' : undefined}
        >
          <span aria-live="polite">{copyLabel(copied.state)}</span>
        </button>
      )}
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
