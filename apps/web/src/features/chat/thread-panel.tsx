import { LIMITS, type User } from '@hubbub/core';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { newClientId } from '../../lib/ids';
import { useTRPC, useTRPCClient } from '../../trpc';
import { useChatLive } from './live-context';
import { useDraftText } from './local-chat';
import { MessageItem } from './message-item';
import { type ThreadPage, threadKey } from './thread-cache';
import { closeThread, useOpenThreadIn } from './thread-panel-state';
import type { ChannelSummary, Message } from './types';
import './side-panel.css';
import './threads.css';

const PAGE_SIZE = 50;

/** The side panel of the thread open in this channel (full screen on phones); nothing when none is. */
export function ThreadPanel({ channel, me, canPost }: { channel: ChannelSummary; me: User; canPost: boolean }) {
  const rootId = useOpenThreadIn(channel.id);
  if (!rootId) return null;
  return <ThreadView key={rootId} rootId={rootId} channelId={channel.id} me={me} canPost={canPost} />;
}

function ThreadView({
  rootId,
  channelId,
  me,
  canPost,
}: {
  rootId: string;
  channelId: string;
  me: User;
  canPost: boolean;
}) {
  const client = useTRPCClient();
  const live = useChatLive();
  const headingId = useId();
  // The stream keeps it current (thread-cache.ts), so it never refetches on its own.
  const thread = useInfiniteQuery({
    queryKey: threadKey(rootId),
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam, signal }): Promise<ThreadPage> => {
      const page = await client.message.thread.query(
        { messageId: rootId, limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) },
        { signal },
      );
      return pageParam === null ? live.catchUpThread(page) : page;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });

  useEffect(() => {
    // Escape closes the panel, unless something inside handled it first (an edit box, a picker).
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) closeThread();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const root = thread.data?.pages[0]?.root;
  const byId = new Map<string, Message>();
  for (const page of thread.data?.pages ?? []) for (const m of page.items) byId.set(m.id, m);
  const replies = [...byId.values()].sort((a, b) => a.seq - b.seq);
  const count = root?.thread?.replyCount ?? replies.length;

  return (
    <aside className="side-panel thread-panel" aria-labelledby={headingId} data-testid="thread-panel">
      <header className="side-panel-header">
        <h2 id={headingId}>Thread</h2>
        <button
          type="button"
          className="icon-button"
          onClick={closeThread}
          aria-label="Close thread"
          title="Close (Esc)"
          data-testid="thread-close"
        >
          ×
        </button>
      </header>
      <div className="thread-scroll">
        {thread.isPending && <p className="muted small thread-note">Loading the thread…</p>}
        {thread.error && (
          <p className="field-error thread-note" role="alert">
            {errorMessage(thread.error)}
          </p>
        )}
        {root && (
          <ol className="message-list thread-root" aria-label="Thread’s first message">
            <MessageItem message={root} me={me} compact={false} canModify={canPost} />
          </ol>
        )}
        {root && (
          <p className="thread-divider muted small" data-testid="thread-reply-count">
            {count} {count === 1 ? 'reply' : 'replies'}
          </p>
        )}
        {thread.hasNextPage && (
          <button
            type="button"
            className="button small subtle thread-older"
            onClick={() => thread.fetchNextPage()}
            disabled={thread.isFetchingNextPage}
          >
            {thread.isFetchingNextPage ? 'Loading…' : 'Load older replies'}
          </button>
        )}
        <ol className="message-list" aria-label="Replies" data-testid="thread-replies">
          {replies.map((reply) => (
            <MessageItem key={reply.id} message={reply} me={me} compact={false} canModify={canPost} />
          ))}
        </ol>
      </div>
      {canPost && root && <ThreadComposer key={rootId} channelId={channelId} rootId={rootId} />}
    </aside>
  );
}

/** The thread's own composer: Enter sends, Shift+Enter adds a line; "Also send to channel" shows the reply there too. */
function ThreadComposer({ channelId, rootId }: { channelId: string; rootId: string }) {
  const trpc = useTRPC();
  const live = useChatLive();
  const inputId = useId();
  // Kept like a channel's draft: closing the panel or reloading loses nothing typed.
  const [text, setText] = useDraftText(`thread:${rootId}`);
  const [alsoInChannel, setAlsoInChannel] = useState(false);
  // One key per reply: a retry after a lost answer is stored once.
  const clientId = useRef(newClientId());
  const send = useMutation(
    trpc.message.send.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: (message) => {
        live.confirm(message);
        setText('');
        clientId.current = newClientId();
      },
    }),
  );

  const submit = () => {
    const content = text.trim();
    if (!content || send.isPending) return;
    send.mutate({
      channelId,
      content,
      threadId: rootId,
      clientId: clientId.current,
      ...(alsoInChannel ? { alsoInChannel: true } : {}),
    });
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form
      className="thread-composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="visually-hidden" htmlFor={inputId}>
        Reply in thread
      </label>
      <textarea
        id={inputId}
        value={text}
        rows={2}
        maxLength={LIMITS.message}
        placeholder="Reply…"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        // biome-ignore lint/a11y/noAutofocus: the panel just opened to write a reply
        autoFocus
        data-testid="thread-input"
      />
      {send.error && (
        <span className="field-error" role="alert">
          {errorMessage(send.error)}
        </span>
      )}
      <div className="thread-composer-row">
        <label className="thread-also">
          <input
            type="checkbox"
            checked={alsoInChannel}
            onChange={(e) => setAlsoInChannel(e.target.checked)}
            data-testid="thread-also-in-channel"
          />
          Also send to channel
        </label>
        <button type="submit" className="button small primary" disabled={send.isPending || !text.trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
