import { useQuery, useQueryClient } from '@tanstack/react-query';
import { shortTime } from '../../lib/time';
import { useTRPC } from '../../trpc';
import { Avatar } from '../../ui/avatar';
import { flattenMessages } from './cache-updates';
import { historyKey } from './chat-live';
import { openThread } from './thread-panel-state';
import type { HistoryData, Message } from './types';

/** A root's "N replies · last reply <time>" with its latest repliers' initials: opens the thread. */
export function ThreadSummaryLine({ message }: { message: Message }) {
  const trpc = useTRPC();
  const thread = message.thread;
  const members = useQuery({
    ...trpc.channel.members.queryOptions({ channelId: message.channelId }, { staleTime: 60_000 }),
    enabled: Boolean(thread),
  });
  if (!thread) return null;
  const names = new Map((members.data ?? []).map((m) => [m.userId, m.displayName]));
  const count = `${thread.replyCount} ${thread.replyCount === 1 ? 'reply' : 'replies'}`;
  return (
    <button
      type="button"
      className="thread-summary"
      onClick={() => openThread(message.channelId, message.id)}
      data-testid="thread-summary"
      aria-label={`${count}, last reply ${shortTime(thread.lastReplyAt)}: open the thread`}
    >
      <span className="thread-repliers">
        {thread.repliers.map((id) => (
          <Avatar key={id} name={names.get(id) ?? '?'} size="sm" />
        ))}
      </span>
      <span className="thread-count" data-testid="thread-count">
        {count}
      </span>
      <span className="muted small">· last reply {shortTime(thread.lastReplyAt)}</span>
    </button>
  );
}

const EXCERPT = 80;

/** Over a reply also sent to the channel: "replied to a thread: <root excerpt>", which opens that thread. */
export function RepliedToThread({ message }: { message: Message }) {
  const queryClient = useQueryClient();
  const rootId = message.threadId;
  if (!rootId || !message.alsoInChannel) return null;
  // The root is usually loaded just above; when it is not, the line still opens the thread.
  const loaded = flattenMessages(queryClient.getQueryData<HistoryData>(historyKey(message.channelId)));
  const root = loaded.find((m) => m.id === rootId);
  const text = root ? root.content.replace(/\s+/g, ' ').trim() : '';
  const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
  return (
    <button
      type="button"
      className="replied-to-thread"
      onClick={() => openThread(message.channelId, rootId)}
      data-testid="replied-to-thread"
    >
      replied to a thread{excerpt ? `: ${excerpt}` : ''}
    </button>
  );
}
