import type { ToolCallPart, User } from '@hubbub/core';
import { ToolIcon } from '../../ui/icons';
import { Foldable } from './foldable';
import { ToolCallDecision } from './tool-call-decision';
import {
  argumentsLine,
  canDecideToolCall,
  decisionLine,
  fullValue,
  resultLine,
  toolCallLabel,
} from './tool-call-rules';
import type { Message } from './types';
import './tool-calls.css';

interface ToolCallCardProps {
  message: Message;
  call: ToolCallPart;
  me: User;
}

/**
 * One tool call in an agent's reply, compact: the tool, its state, its
 * arguments on one line (unfolding to the whole), its result or error, who
 * decided on it, and Approve / Deny while it waits for the asker or an admin.
 */
export function ToolCallCard({ message, call, me }: ToolCallCardProps) {
  const label = toolCallLabel(call, message);
  const args = argumentsLine(call.input);
  const decision = decisionLine(call);
  const waiting = call.state === 'awaiting-approval' && message.status === 'streaming';
  // Left waiting in a reply that ended: shown as never run, not as still waiting.
  const tone = call.state === 'awaiting-approval' && !waiting ? 'not-run' : call.state;
  const result = call.state === 'done' && call.output !== undefined ? resultLine(call.output) : '';
  // A denial's error only repeats its decision line.
  const error = call.state === 'failed' ? call.error : null;

  return (
    <section
      className={`tool-call is-${tone}`}
      aria-label={`${call.toolName}: ${label}`}
      data-testid="tool-call"
      data-tool={call.toolName}
      data-state={call.state}
    >
      <div className="tool-call-head">
        <ToolIcon />
        <code className="tool-call-name" data-testid="tool-call-name">
          {call.toolName}
        </code>
        <span className={`tool-call-badge is-${tone}`} data-testid="tool-call-state">
          {label}
        </span>
      </div>
      {args && (
        <details className="tool-call-fold" data-testid="tool-call-args">
          <summary>
            <span className="tool-call-key">Arguments</span>
            <span className="tool-call-line">{args}</span>
          </summary>
          <pre className="tool-call-value">{fullValue(call.input)}</pre>
        </details>
      )}
      {result && (
        <details className="tool-call-fold" data-testid="tool-call-result">
          <summary>
            <span className="tool-call-key">Result</span>
            <span className="tool-call-line">{result}</span>
          </summary>
          <Foldable streaming={false}>
            <pre className="tool-call-value">{fullValue(call.output)}</pre>
          </Foldable>
        </details>
      )}
      {error && (
        <Foldable streaming={false}>
          <p className="tool-call-error" data-testid="tool-call-error">
            {error}
          </p>
        </Foldable>
      )}
      {decision && (
        <p className="tool-call-decision" data-testid="tool-call-decision">
          {decision}
        </p>
      )}
      {waiting &&
        (canDecideToolCall(message, call, me) ? (
          <ToolCallDecision messageId={message.id} call={call} />
        ) : (
          <p className="tool-call-waiting" data-testid="tool-call-waiting">
            Waiting for approval from the person who asked.
          </p>
        ))}
    </section>
  );
}
