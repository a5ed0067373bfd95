import { progressCount, progressRatio } from './format';
import type { Task } from './types';

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
