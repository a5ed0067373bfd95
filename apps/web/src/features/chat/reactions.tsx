import type { Reaction, User } from '@hubbub/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { EmojiPicker } from './emoji-picker';
import type { Message } from './types';
import './reactions.css';

interface ReactionsProps {
  message: Message;
  me: User;
  /** A member of a channel that is not archived: may react. */
  canReact: boolean;
}

/** Who reacted, in words: names of the first reactors the message lists, then how many more. */
function reactorsTitle(reaction: Reaction, me: User, names: Map<string, string>): string {
  const listed = reaction.userIds.map((id) => (id === me.id ? 'you' : (names.get(id) ?? 'someone')));
  const more = reaction.count - listed.length;
  return `${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''} reacted with ${reaction.emoji}`;
}

/**
 * The reactions under a message: a chip per emoji (its count, highlighted when
 * one of them is mine; a click toggles mine) and an "Add reaction" button with
 * the emoji picker. The stream brings every change, ours included.
 */
export function Reactions({ message, me, canReact }: ReactionsProps) {
  const trpc = useTRPC();
  const [picking, setPicking] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const reactions = message.reactions ?? [];
  const members = useQuery({
    ...trpc.channel.members.queryOptions({ channelId: message.channelId }, { staleTime: 60_000 }),
    enabled: reactions.length > 0,
  });
  const names = new Map((members.data ?? []).map((m) => [m.userId, m.displayName]));
  const react = useMutation(trpc.message.react.mutationOptions());
  const unreact = useMutation(trpc.message.unreact.mutationOptions());
  const error = react.error ?? unreact.error;

  useEffect(() => {
    if (!picking) return;
    const onDown = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setPicking(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [picking]);

  if (reactions.length === 0 && !canReact) return null;

  const toggle = (emoji: string, mine: boolean) => {
    react.reset();
    unreact.reset();
    (mine ? unreact : react).mutate({ messageId: message.id, emoji });
  };

  return (
    <div className="reactions" ref={root} data-testid="reactions">
      {reactions.map((reaction) => {
        const mine = reaction.userIds.includes(me.id);
        return (
          <button
            key={reaction.emoji}
            type="button"
            className={`reaction-chip${mine ? ' mine' : ''}`}
            aria-pressed={mine}
            aria-label={`${reaction.emoji} ${reaction.count}: ${reactorsTitle(reaction, me, names)}`}
            title={reactorsTitle(reaction, me, names)}
            disabled={!canReact}
            onClick={() => toggle(reaction.emoji, mine)}
            data-testid="reaction-chip"
            data-emoji={reaction.emoji}
          >
            <span className="reaction-emoji">{reaction.emoji}</span>
            <span className="reaction-count" data-testid="reaction-count">
              {reaction.count}
            </span>
          </button>
        );
      })}
      {canReact && (
        <span className="reaction-add-wrap">
          <button
            type="button"
            className="reaction-add"
            aria-label="Add reaction"
            title="Add reaction"
            aria-expanded={picking}
            onClick={() => setPicking((p) => !p)}
            data-testid="reaction-add"
          >
            <span aria-hidden="true">☺+</span>
          </button>
          {picking && (
            <EmojiPicker
              userId={me.id}
              onClose={() => setPicking(false)}
              onPick={(emoji) => {
                setPicking(false);
                const mine = reactions.some((r) => r.emoji === emoji && r.userIds.includes(me.id));
                if (!mine) toggle(emoji, false);
              }}
            />
          )}
        </span>
      )}
      {error && (
        <span className="field-error small" role="alert">
          {errorMessage(error)}
        </span>
      )}
    </div>
  );
}
