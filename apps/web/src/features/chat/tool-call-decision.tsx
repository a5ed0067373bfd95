import { TOOL_CALL_LIMITS, type ToolCallPart } from '@hubbub/core';
import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';

/**
 * Approve / Deny under a call that waits. Deny first asks for an optional
 * reason (Enter sends, Escape goes back). The card changes when the reply's
 * update arrives on the stream, not from this answer: the reply goes on at once
 * and the answer may arrive after newer text.
 */
export function ToolCallDecision({ messageId, call }: { messageId: string; call: ToolCallPart }) {
  const trpc = useTRPC();
  const reasonId = useId();
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  const denyButton = useRef<HTMLButtonElement>(null);
  const decide = useMutation(trpc.message.decideTool.mutationOptions({ meta: { inlineErrors: true } }));
  // Sent and accepted: the card leaves this state with the stream's update.
  const busy = decide.isPending || decide.isSuccess;

  const send = (approved: boolean) => {
    if (busy) return;
    const why = reason.trim();
    decide.mutate({ messageId, toolCallId: call.toolCallId, approved, ...(!approved && why ? { reason: why } : {}) });
  };
  const startDeny = () => {
    decide.reset();
    setDenying(true);
  };
  const cancelDeny = () => {
    flushSync(() => setDenying(false));
    denyButton.current?.focus();
  };
  const onReasonKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') {
      // Handled here: the thread panel around it must not close too.
      e.preventDefault();
      cancelDeny();
    } else if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send(false);
    }
  };

  return (
    <div className="tool-call-decide" data-testid="tool-call-decide">
      {denying ? (
        <div className="tool-call-deny">
          <label htmlFor={reasonId} className="tool-call-key">
            Why not? (optional)
          </label>
          <input
            id={reasonId}
            type="text"
            value={reason}
            maxLength={TOOL_CALL_LIMITS.reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={onReasonKey}
            disabled={busy}
            placeholder="Enter to deny · Esc to go back"
            // biome-ignore lint/a11y/noAutofocus: the reason the person just chose to give
            autoFocus
            data-testid="tool-call-reason"
          />
          <span className="row">
            <button
              type="button"
              className="button small danger"
              onClick={() => send(false)}
              disabled={busy}
              data-testid="tool-call-deny-confirm"
            >
              {decide.isPending ? 'Denying…' : 'Deny'}
            </button>
            <button type="button" className="button small" onClick={cancelDeny} disabled={decide.isPending}>
              Back
            </button>
          </span>
        </div>
      ) : (
        <span className="row">
          <button
            type="button"
            className="button small primary"
            onClick={() => send(true)}
            disabled={busy}
            data-testid="tool-call-approve"
          >
            {decide.isPending ? 'Approving…' : 'Approve'}
          </button>
          <button
            type="button"
            ref={denyButton}
            className="button small"
            onClick={startDeny}
            disabled={busy}
            data-testid="tool-call-deny"
          >
            Deny
          </button>
        </span>
      )}
      {decide.error && (
        <span className="field-error" role="alert" data-testid="tool-call-decide-error">
          {errorMessage(decide.error)}
        </span>
      )}
    </div>
  );
}
