import { STATUS_LABEL, type TaskStatus } from './types';

/** A task's status as a colored label. */
export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span className={`task-status status-${status}`} data-testid="task-status" data-status={status}>
      <span className="task-status-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}
