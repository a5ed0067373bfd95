import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, shortTime } from '../../lib/time';
import { ApprovalPrompt } from './approval-prompt';
import { CancelButton } from './cancel-button';
import { clockWithSeconds, prettyJson } from './format';
import { ProgressBar } from './progress-bar';
import { useTaskDetailOptions, useTaskLive } from './queries';
import { StatusBadge } from './status-badge';
import { pendingApprovals } from './task-cache';
import { TaskDuration } from './task-duration';
import { TaskLog } from './task-log';
import { type TaskDetail as Detail, HIDDEN_LABEL, STATUS_LABEL, type Task } from './types';

interface TaskDetailProps {
  taskId: string;
  onClose(): void;
}

/** The side panel: one task's progress, approvals, live log, result and timeline. */
export function TaskDetail({ taskId, onClose }: TaskDetailProps) {
  const live = useTaskLive();
  const detail = useQuery(useTaskDetailOptions(taskId));
  const heading = useRef<HTMLHeadingElement>(null);
  // While the detail loads, the list's snapshot fills the header.
  const task: Task | undefined = detail.data?.task ?? live.task(taskId);

  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);

  return (
    <aside className="task-detail" aria-labelledby="task-detail-title" data-testid="task-detail" data-task-id={taskId}>
      <header className="task-detail-header">
        <div className="task-detail-heading">
          {task && <StatusBadge status={task.status} />}
          <h2 id="task-detail-title" ref={heading} tabIndex={-1}>
            {task?.title ?? 'Task'}
          </h2>
        </div>
        <button
          type="button"
          className="icon-button"
          onClick={onClose}
          aria-label="Close task details"
          title="Close (Esc)"
          data-testid="task-detail-close"
        >
          ×
        </button>
      </header>
      <div className="task-detail-scroll">
        {detail.isError && !detail.data ? (
          <div className="list-state" role="alert">
            <p>Couldn’t load this task: {errorMessage(detail.error)}</p>
            <button type="button" className="button" onClick={() => detail.refetch()}>
              Try again
            </button>
          </div>
        ) : !detail.data || !task ? (
          <p className="list-state">Loading task…</p>
        ) : (
          <DetailBody detail={detail.data} task={task} />
        )}
      </div>
    </aside>
  );
}

function DetailBody({ detail, task }: { detail: Detail; task: Task }) {
  const pending = pendingApprovals(detail);
  const decided = detail.approvals.filter((a) => a.status !== 'pending' || task.status !== 'awaiting_approval');
  return (
    <>
      <section className="detail-section detail-summary" aria-label="Summary">
        <ProgressBar task={task} size="lg" />
        <dl className="detail-meta">
          <div>
            <dt>Agent</dt>
            <dd>{task.agent ?? <span className="muted">any agent</span>}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>
              <TaskDuration task={task} />
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd title={fullTime(task.createdAt)}>{shortTime(task.createdAt)}</dd>
          </div>
          <div>
            <dt>{task.completedAt ? 'Finished' : 'Started'}</dt>
            <dd>
              {task.completedAt ? (
                <span title={fullTime(task.completedAt)}>{shortTime(task.completedAt)}</span>
              ) : task.startedAt ? (
                <span title={fullTime(task.startedAt)}>{shortTime(task.startedAt)}</span>
              ) : (
                <span className="muted">not yet</span>
              )}
            </dd>
          </div>
          {task.sensitive && (
            <div className="wide">
              <dt>Sharing</dt>
              <dd data-testid="task-sensitive">Sensitive: input, result and log for its creator, agent and admins</dd>
            </div>
          )}
          <div className="wide">
            <dt>ID</dt>
            <dd className="mono" title={task.id}>
              {task.id}
            </dd>
          </div>
        </dl>
        <div className="detail-actions">
          <CancelButton task={task} />
        </div>
      </section>

      {pending.length > 0 && (
        <section className="detail-section" aria-label="Approval needed">
          {pending.map((a) => (
            <ApprovalPrompt key={a.id} task={task} approval={a} />
          ))}
        </section>
      )}

      {task.status === 'failed' && task.error && (
        <section className="detail-section">
          <h3>Error</h3>
          <p className="task-error-box" data-testid="task-detail-error">
            {task.error}
          </p>
        </section>
      )}

      <section className="detail-section">
        <h3>
          Log <span className="muted small">{detail.logs.length > 0 ? `${detail.logs.length} lines` : ''}</span>
        </h3>
        <TaskLog task={task} lines={detail.logs} />
      </section>

      {(task.redacted ? task.status === 'completed' : task.result != null) && (
        <DataSection title="Result" value={task.result} hidden={task.redacted} testId="task-result" />
      )}

      {(task.redacted || task.input != null) && (
        <DataSection title="Input" value={task.input} hidden={task.redacted} testId="task-input" />
      )}

      {decided.length > 0 && (
        <section className="detail-section">
          <h3>Approvals</h3>
          <ul className="approval-history">
            {decided.map((a) => (
              <li key={a.id} className={`decision decision-${a.status}`} data-testid="approval-decision">
                <span className="decision-status">{a.status === 'pending' ? 'Unanswered' : a.status}</span>
                <span className="decision-action">{a.action}</span>
                {a.comment && <span className="decision-comment">“{a.comment}”</span>}
                {a.decidedAt && (
                  <time dateTime={a.decidedAt} title={fullTime(a.decidedAt)}>
                    {shortTime(a.decidedAt)}
                  </time>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section className="detail-section">
        <h3>Timeline</h3>
        <ol className="timeline" data-testid="task-timeline">
          {detail.timeline.map((e, i) => (
            <li key={`${e.at}-${e.status}-${i}`} className={`timeline-item status-${e.status}`}>
              <span className="timeline-dot" aria-hidden="true" />
              <span className="timeline-label">{STATUS_LABEL[e.status]}</span>
              <time dateTime={e.at} title={fullTime(e.at)}>
                {clockWithSeconds(e.at)}
              </time>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/** Input or result as JSON; for a reader who may not see a sensitive task's, a line saying so rather than nothing. */
function DataSection({
  title,
  value,
  hidden,
  testId,
}: {
  title: string;
  value: unknown;
  hidden: boolean;
  testId: string;
}) {
  return (
    <section className="detail-section">
      <h3>{title}</h3>
      {hidden ? (
        <p className="hidden-data" data-testid={`${testId}-hidden`}>
          {HIDDEN_LABEL}
        </p>
      ) : (
        <pre className="json" data-testid={testId}>
          {prettyJson(value)}
        </pre>
      )}
    </section>
  );
}
