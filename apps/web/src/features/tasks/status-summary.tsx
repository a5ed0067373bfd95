import { TASK_STATUSES } from '@hubbub/core';
import { STATUS_LABEL, type TaskStats, type TaskStatus } from './types';

interface StatusSummaryProps {
  stats: TaskStats | undefined;
  active: TaskStatus | undefined;
  onSelect(status: TaskStatus | undefined): void;
}

/** Counts per status; each is a filter toggle ("All" clears it). */
export function StatusSummary({ stats, active, onSelect }: StatusSummaryProps) {
  const counts = stats?.counts;
  const total = counts ? Object.values(counts).reduce((sum, n) => sum + n, 0) : undefined;
  const show = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString());
  return (
    <fieldset className="status-summary">
      <legend className="visually-hidden">Tasks per status (pick one to filter the list)</legend>
      <button
        type="button"
        className="status-card status-all"
        aria-pressed={active === undefined}
        onClick={() => onSelect(undefined)}
        data-testid="status-count"
        data-status="all"
      >
        <span className="status-card-count">{show(total)}</span>
        <span className="status-card-label">All tasks</span>
      </button>
      {TASK_STATUSES.map((status) => (
        <button
          key={status}
          type="button"
          className={`status-card status-${status}`}
          aria-pressed={active === status}
          onClick={() => onSelect(active === status ? undefined : status)}
          data-testid="status-count"
          data-status={status}
          title={active === status ? 'Show all tasks' : `Show only ${STATUS_LABEL[status].toLowerCase()} tasks`}
        >
          <span className="status-card-count">{show(counts?.[status])}</span>
          <span className="status-card-label">
            <span className="task-status-dot" aria-hidden="true" />
            {STATUS_LABEL[status]}
          </span>
        </button>
      ))}
    </fieldset>
  );
}
