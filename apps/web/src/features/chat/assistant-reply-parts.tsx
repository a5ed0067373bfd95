import { replyParts, type User } from '@hubbub/core';
import { fullTime } from '../../lib/time';
import { AssistantThinking } from './assistant-reply-states';
import { MessageText } from './message-text';
import { ToolCallCard } from './tool-call-card';
import type { Message } from './types';

/**
 * A reply with tool calls, as its parts in order: its text (Markdown, as any
 * reply) cut where each call stands, and a card per call. Text deltas keep
 * appending to the last part; a call's new state arrives with the whole message.
 */
export function AssistantReplyParts({ message, me }: { message: Message; me: User }) {
  const parts = replyParts(message);
  const streaming = message.status === 'streaming';
  const held = message.meta?.awaitingApproval === true;
  const last = parts.at(-1);
  // Between a call's end and the next words the model is at work again.
  const thinking = streaming && !held && last?.type === 'tool-call' && last.state !== 'running';
  const edited = message.editedAt ? `Edited ${fullTime(message.editedAt)}` : null;

  return (
    <div className="assistant-parts" data-testid="assistant-parts">
      {parts.map((part, index) =>
        part.type === 'text' ? (
          <MessageText
            // Parts only ever grow at the end, so a text part keeps its place.
            key={`text-${index}`}
            text={part.text}
            streaming={streaming && !held && index === parts.length - 1}
            editedTitle={index === parts.length - 1 ? edited : null}
          />
        ) : (
          <ToolCallCard key={part.toolCallId} message={message} call={part} me={me} />
        ),
      )}
      {thinking && <AssistantThinking />}
    </div>
  );
}
