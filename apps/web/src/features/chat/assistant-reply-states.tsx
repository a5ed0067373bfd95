import { WarningIcon } from '../../ui/icons';
import { failureReason, waitingText } from './assistant-reply';
import type { Message } from './types';
import './assistant.css';

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
      <WarningIcon />
      <span>
        <strong>Reply failed:</strong> {failureReason(message.meta)}
      </span>
    </p>
  );
}
