import { LIMITS, type User } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, memo, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { clockTime, fullTime, shortTime } from '../../lib/time';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { PencilIcon, ThreadIcon, TrashIcon } from '../../ui/icons';
import { AttachmentList } from '../files/attachment-list';
import { CopyLinkButton } from '../permalink/copy-link-button';
import { AssistantAvatar } from './assistant-avatar';
import { AssistantFooter, type VersionView } from './assistant-footer';
import { replyState, replyVersions, shownVersionIndex, type VersionPick } from './assistant-reply';
import { AssistantReplyParts } from './assistant-reply-parts';
import { AssistantError, AssistantThinking, AssistantWaiting } from './assistant-reply-states';
import { Foldable } from './foldable';
import { useChatLive } from './live-context';
import { MessageText } from './message-text';
import { PersonButton } from './profile-card';
import { Reactions } from './reactions';
import { openThread } from './thread-panel-state';
import { RepliedToThread, ThreadSummaryLine } from './thread-summary';
import { hasToolCalls } from './tool-call-rules';
import type { Message, PendingMessage } from './types';

interface MessageItemProps {
  message: Message;
  me: User;
  /** Same author as the message above, shortly after: no header. */
  compact: boolean;
  canModify: boolean;
  /** Opened by its permalink or a search hit: marked for a moment. */
  highlighted?: boolean;
}

function authorName(message: Message): string {
  // An agent's reply is authored by the agent; the built-in assistant's has no author.
  if (message.role === 'assistant') return message.author?.displayName ?? 'Assistant';
  if (message.role === 'system') return 'Hubbub';
  return message.author?.displayName ?? 'Deleted user';
}

/** Memoized: a new page or a new message re-renders the list, not every row already in it. */
export const MessageItem = memo(function MessageItem({
  message,
  me,
  compact,
  canModify,
  highlighted = false,
}: MessageItemProps) {
  const trpc = useTRPC();
  const live = useChatLive();
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const [draft, setDraft] = useState(message.content);
  const [versionPick, setVersionPick] = useState<VersionPick | null>(null);
  const edit = useMutation(
    trpc.message.edit.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: (updated) => {
        live.confirm(updated);
        setMode('view');
      },
    }),
  );
  const remove = useMutation(
    trpc.message.delete.mutationOptions({
      onSuccess: (result) =>
        'kept' in result ? live.confirm(result.kept) : live.confirmDeleted(message.channelId, result.messageId),
    }),
  );

  const mine = message.authorId === me.id;
  // A thread root deleted while it had replies: only their anchor now.
  const deleted = message.meta?.deleted === true;
  const settled = canModify && message.status !== 'streaming' && !deleted;
  const editable = mine && settled;
  // Moderation: an admin may delete anyone's message.
  const deletable = settled && (mine || me.role === 'admin');
  const assistant = message.role === 'assistant';
  const streaming = message.status === 'streaming';
  const name = authorName(message);
  const state = assistant ? replyState(message) : null;
  const versions = assistant ? replyVersions(message) : [];
  const shownIndex = shownVersionIndex(versionPick, versions);
  // An earlier version of a regenerated reply the reader flipped to (the newest is shown by default).
  const earlier = shownIndex < versions.length - 1 ? (versions[shownIndex] ?? null) : null;
  const versionView: VersionView | null =
    versions.length > 1
      ? {
          index: shownIndex,
          count: versions.length,
          earlier,
          pick: (index) => setVersionPick({ index, newestAt: versions.at(-1)?.at ?? '' }),
        }
      : null;

  const startEdit = () => {
    setDraft(message.content);
    edit.reset();
    setMode('edit');
  };
  const save = () => {
    const content = draft.trim();
    if (!content) return;
    if (content === message.content) setMode('view');
    else edit.mutate({ messageId: message.id, content });
  };
  const onEditKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      setMode('view');
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      save();
    }
  };

  return (
    <li
      className={`message${compact ? ' compact' : ''}${mine ? ' mine' : ''}${highlighted ? ' highlighted' : ''} role-${message.role}`}
      data-testid="message"
      data-message-id={message.id}
      data-highlighted={highlighted || undefined}
      aria-label={compact ? undefined : `${name}, ${shortTime(message.createdAt)}`}
      aria-busy={streaming || undefined}
      data-status={message.status}
    >
      <div className="message-gutter">
        {compact ? (
          <time className="hover-time" dateTime={message.createdAt} title={fullTime(message.createdAt)}>
            {clockTime(message.createdAt)}
          </time>
        ) : assistant ? (
          <AssistantAvatar />
        ) : (
          <Avatar name={name} />
        )}
      </div>
      <div className="message-main">
        {!compact && (
          <div className="message-meta">
            {message.role !== 'system' && message.authorId && message.author ? (
              <PersonButton
                person={{ id: message.authorId, handle: message.author.handle, displayName: name }}
                me={me}
                className="message-author"
                testId="message-author"
              >
                {name}
              </PersonButton>
            ) : (
              <span className="message-author" data-testid="message-author">
                {name}
              </span>
            )}
            {assistant && (
              <span className="tag assistant-tag" title="Replies written by an AI model">
                AI
              </span>
            )}
            <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
              {shortTime(message.createdAt)}
            </time>
          </div>
        )}
        <RepliedToThread message={message} />
        {mode === 'edit' ? (
          <div className="edit-box">
            <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
              Edit message
            </label>
            <textarea
              id={`edit-${message.id}`}
              value={draft}
              maxLength={LIMITS.message}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={onEditKey}
              // biome-ignore lint/a11y/noAutofocus: focus moves to the editor the user just opened
              autoFocus
              onFocus={(e) =>
                e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)
              }
              data-testid="edit-input"
            />
            <div className="edit-help">
              {edit.error ? (
                <span className="field-error" role="alert">
                  {errorMessage(edit.error)}
                </span>
              ) : (
                <span>
                  <kbd>Enter</kbd> to save · <kbd>Esc</kbd> to cancel
                </span>
              )}
              <span className="row">
                <button type="button" className="button small" onClick={() => setMode('view')}>
                  Cancel
                </button>
                <button
                  type="button"
                  className="button small primary"
                  onClick={save}
                  disabled={edit.isPending || !draft.trim()}
                >
                  Save
                </button>
              </span>
            </div>
          </div>
        ) : (
          <Foldable streaming={streaming}>
            <div className="message-body" data-testid="message-content">
              {deleted ? (
                <p className="message-deleted" data-testid="message-deleted">
                  This message was deleted.
                </p>
              ) : earlier ? (
                <MessageText text={earlier.text} />
              ) : state === 'waiting' ? (
                <AssistantWaiting position={message.meta?.queuePosition ?? 1} />
              ) : assistant && hasToolCalls(message) ? (
                <AssistantReplyParts message={message} me={me} />
              ) : state === 'thinking' ? (
                <AssistantThinking />
              ) : (
                <MessageText
                  text={message.content}
                  streaming={streaming}
                  editedTitle={message.editedAt ? `Edited ${fullTime(message.editedAt)}` : null}
                />
              )}
            </div>
          </Foldable>
        )}
        {message.attachments?.length ? <AttachmentList files={message.attachments} /> : null}
        {assistant && message.status === 'failed' && !earlier && <AssistantError message={message} />}
        {assistant && <AssistantFooter message={message} me={me} canPost={canModify} versions={versionView} />}
        {mode === 'view' && !streaming && !deleted && <Reactions message={message} me={me} canReact={canModify} />}
        <ThreadSummaryLine message={message} />
        {mode === 'confirm-delete' && (
          <div className="confirm-row">
            <span>{mine ? 'Delete this message for everyone?' : `Delete ${name}’s message for everyone?`}</span>
            <button
              type="button"
              className="button small danger"
              onClick={() => remove.mutate({ messageId: message.id })}
              disabled={remove.isPending}
              // biome-ignore lint/a11y/noAutofocus: the confirmation the user just asked for
              autoFocus
            >
              Delete
            </button>
            <button type="button" className="button small" onClick={() => setMode('view')}>
              Cancel
            </button>
          </div>
        )}
      </div>
      {mode === 'view' && (
        <div className="message-actions">
          {!message.threadId && message.role !== 'system' && !streaming && (
            <button
              type="button"
              className="icon-button"
              onClick={() => openThread(message.channelId, message.id)}
              aria-label="Reply in thread"
              title="Reply in thread"
              data-testid="reply-in-thread"
            >
              <ThreadIcon />
            </button>
          )}
          <CopyLinkButton messageId={message.id} />
          {editable && (
            <button type="button" className="icon-button" onClick={startEdit} aria-label="Edit message" title="Edit">
              <PencilIcon />
            </button>
          )}
          {deletable && (
            <button
              type="button"
              className="icon-button"
              onClick={() => setMode('confirm-delete')}
              aria-label={mine ? 'Delete message' : `Delete ${name}’s message`}
              title="Delete"
              data-testid="message-delete"
            >
              <TrashIcon />
            </button>
          )}
        </div>
      )}
    </li>
  );
});

interface PendingItemProps {
  pending: PendingMessage;
  me: User;
  compact: boolean;
  onRetry(pending: PendingMessage): void;
  onDiscard(pending: PendingMessage): void;
}

/** Your message on its way: greyed while sending, with retry/discard if it failed. */
export function PendingItem({ pending, me, compact, onRetry, onDiscard }: PendingItemProps) {
  const failed = pending.status === 'failed';
  return (
    <li
      className={`message mine pending${compact ? ' compact' : ''}${failed ? ' failed' : ''}`}
      data-testid="message"
      data-pending="true"
    >
      <div className="message-gutter">{!compact && <Avatar name={me.displayName} />}</div>
      <div className="message-main">
        {!compact && (
          <div className="message-meta">
            <span className="message-author">{me.displayName}</span>
            <span className="muted small">{failed ? 'not sent' : 'sending…'}</span>
          </div>
        )}
        <div className="message-body" data-testid="message-content">
          <MessageText text={pending.content} />
        </div>
        {pending.attachments && <AttachmentList files={pending.attachments} />}
        {failed && (
          <div className="confirm-row" role="alert">
            <span className="field-error">{pending.error ?? 'Not sent.'}</span>
            <button type="button" className="button small" onClick={() => onRetry(pending)}>
              Retry
            </button>
            <button type="button" className="button small subtle" onClick={() => onDiscard(pending)}>
              Discard
            </button>
          </div>
        )}
      </div>
    </li>
  );
}
