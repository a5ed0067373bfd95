import { useMutation } from '@tanstack/react-query';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { fullTime } from '../../lib/time';
import { useTRPC } from '../../trpc';
import { formatDuration, progressCount, progressRatio, taskTiming } from './format';
import { useTaskLive } from './queries';
import { ACTIVE_STATUSES, STATUS_LABEL, type Task, type TaskStatus } from './types';
import { useNow } from './use-now';

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`task-status status-${status}`} data-testid="task-status" data-status={status}>
      <span className="task-status-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}

/** The bar, the current step and current/total; indeterminate while running without a total. */
export function ProgressBar({ task, size = 'md' }: { task: Task; size?: 'md' | 'lg' }) {
  const ratio = progressRatio(task);
  const count = progressCount(task);
  const step = task.progress.step;
  const running = task.status === 'in_progress' || task.status === 'awaiting_approval';
  const idle = task.status === 'queued' || !task.startedAt ? 'Not started' : 'No progress reported';
  const label = [step, count].filter(Boolean).join(' · ') || idle;
  return (
    <div
      className={`progress progress-${size} progress-${task.status} status-${task.status}`}
      data-testid="progress-bar"
    >
      <div
        className={`progress-track${ratio === null && running ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`Progress of ${task.title}`}
        aria-valuemin={0}
        aria-valuemax={task.progress.total ?? undefined}
        aria-valuenow={task.progress.total ? Math.min(task.progress.current, task.progress.total) : undefined}
        aria-valuetext={label}
      >
        <div className="progress-fill" style={{ width: `${(ratio ?? (running ? 0.35 : 0)) * 100}%` }} />
      </div>
      <div className="progress-label">
        <span className="progress-step" data-testid="progress-step" title={step ?? undefined}>
          {step ?? (count ? '' : label)}
        </span>
        {count && (
          <span className="progress-count" data-testid="progress-count">
            {count}
          </span>
        )}
      </div>
    </div>
  );
}

const TIMING_PREFIX = { waiting: 'waiting ', running: '', took: '', none: '' } as const;

/** Waiting, running (ticking each second) or how long it took. */
export function Duration({ task }: { task: Task }) {
  const active = ACTIVE_STATUSES.includes(task.status);
  const now = useNow(active);
  const timing = taskTiming(task, active ? now : Date.now());
  if (timing.kind === 'none') return <span className="duration muted">—</span>;
  const title =
    timing.kind === 'took' && task.startedAt && task.completedAt
      ? `${fullTime(task.startedAt)} → ${fullTime(task.completedAt)}`
      : timing.kind === 'waiting'
        ? `Queued ${fullTime(task.createdAt)}`
        : task.startedAt
          ? `Started ${fullTime(task.startedAt)}`
          : undefined;
  return (
    <span className={`duration duration-${timing.kind}`} data-testid="task-duration" title={title}>
      {TIMING_PREFIX[timing.kind]}
      {formatDuration(timing.ms)}
    </span>
  );
}

/**
 * Cancel with a second, explicit step (a cancelled task cannot be resumed):
 * the button turns into "Stop it? Yes / No"; Escape backs out.
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
