import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTRPC } from '../../trpc';
import { useTaskLive } from './queries';
import { ACTIVE_STATUSES, type Task } from './types';

/**
 * Cancel with a second, explicit step (a cancelled task cannot be resumed):
 * the button turns into "Stop this task? Yes / No"; Escape backs out.
 */
export function CancelButton({ task, compact = false }: { task: Task; compact?: boolean }) {
  const trpc = useTRPC();
  const live = useTaskLive();
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const cancel = useMutation(
    trpc.task.cancel.mutationOptions({
      onSuccess: (task) => live.confirm(task as Task, 'run_cancelled'),
      onSettled: () => setAsking(false),
    }),
  );

  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);

  if (!ACTIVE_STATUSES.includes(task.status)) return null;

  const back = () => {
    setAsking(false);
    requestAnimationFrame(() => first.current?.focus());
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      back();
    }
  };

  if (asking) {
    return (
      // biome-ignore lint/a11y/noStaticElementInteractions: Escape inside the confirm pair backs out of it
      <span className="cancel-confirm" onKeyDown={onKeyDown} onClick={(e) => e.stopPropagation()}>
        <span className="cancel-question">{compact ? 'Stop?' : 'Stop this task?'}</span>
        <button
          ref={yes}
          type="button"
          className="button small danger"
          onClick={() => cancel.mutate({ id: task.id })}
          disabled={cancel.isPending}
          data-testid="confirm-cancel-button"
        >
          {cancel.isPending ? 'Stopping…' : 'Yes'}
        </button>
        <button type="button" className="button small subtle" onClick={back} disabled={cancel.isPending}>
          No
        </button>
      </span>
    );
  }
  return (
    <button
      ref={first}
      type="button"
      className="button small cancel-button"
      onClick={(e) => {
        e.stopPropagation();
        setAsking(true);
      }}
      aria-label={`Cancel task ${task.title}`}
      data-testid="cancel-button"
    >
      Cancel
    </button>
  );
}
