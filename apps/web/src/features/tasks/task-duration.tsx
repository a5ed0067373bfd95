import { fullTime } from '../../lib/time';
import { formatDuration, taskTiming } from './format';
import { ACTIVE_STATUSES, type Task } from './types';
import { useNow } from './use-now';

const TIMING_PREFIX = { waiting: 'waiting ', running: '', took: '', none: '' } as const;

/** Waiting, running (ticking each second) or how long it took. */
export function TaskDuration({ task }: { task: Task }) {
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
