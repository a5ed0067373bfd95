import { describeAgentStatus } from '../agents/agent-status';
import { useAgentStatus } from '../agents/use-agent-status';
import { useTyping } from './live-context';

function describe(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

/**
 * Always takes its line, so the composer does not jump when someone starts typing. People typing
 * come first; otherwise the agents thinking here ("@reviewer is thinking…").
 */
export function TypingIndicator({ channelId }: { channelId: string }) {
  const entries = useTyping(channelId);
  const agents = useAgentStatus(channelId);
  const text = describe(entries.map((e) => e.displayName)) || describeAgentStatus(agents);
  return (
    <div className="typing" aria-live="polite" data-testid="typing-indicator">
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {text}
        </>
      )}
    </div>
  );
}
