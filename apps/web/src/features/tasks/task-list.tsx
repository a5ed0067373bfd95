import type { UseInfiniteQueryResult } from '@tanstack/react-query';
import { type KeyboardEvent, memo } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, shortTime } from '../../lib/time';
import { TasksIcon } from '../../ui/icons';
import { CancelButton } from './cancel-button';
import { ProgressBar } from './progress-bar';
import { StatusBadge } from './status-badge';
import { flattenTasks } from './task-cache';
import { TaskDuration } from './task-duration';
import { STATUS_LABEL, type Task, type TaskFilter, type TaskListData } from './types';

interface TaskListProps {
  list: UseInfiniteQueryResult<TaskListData>;
  filter: TaskFilter;
  selectedId: string | null;
  onSelect(id: string): void;
  onClearFilter(): void;
}

/** Arrow keys move between the rows' title buttons. */
function onListKeyDown(e: KeyboardEvent<HTMLOListElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const target = e.target as HTMLElement;
  if (!target.classList.contains('task-open')) return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('.task-open')];
  const next = buttons[buttons.indexOf(target as HTMLButtonElement) + (e.key === 'ArrowDown' ? 1 : -1)];
  if (next) {
    e.preventDefault();
    next.focus();
  }
}

/** Tasks newest first, live; "Load more" fetches older pages. */
export function TaskList({ list, filter, selectedId, onSelect, onClearFilter }: TaskListProps) {
  const tasks = flattenTasks(list.data);
  const filtered = Boolean(filter.status || filter.agent);

  if (list.isPending) {
    return (
      <p className="list-state" aria-busy="true">
        Loading tasks…
      </p>
    );
  }
  if (list.isError && tasks.length === 0) {
    return (
      <div className="list-state" role="alert">
        <p>Couldn’t load tasks: {errorMessage(list.error)}</p>
        <button type="button" className="button" onClick={() => list.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (tasks.length === 0) {
    return filtered ? (
      <div className="tasks-empty" data-testid="tasks-empty">
        <h3>
          No {filter.status ? STATUS_LABEL[filter.status].toLowerCase() : ''} tasks{agentPart(filter)}
        </h3>
        <p>They appear here live as soon as there are some.</p>
        <button type="button" className="button" onClick={onClearFilter}>
          Show all tasks
        </button>
      </div>
    ) : (
      <div className="tasks-empty" data-testid="tasks-empty">
        <div className="empty-emoji" aria-hidden="true">
          <TasksIcon size={28} />
        </div>
        <h3>No tasks yet</h3>
        <p>
          Create one above, or run <code>pnpm demo</code> to watch a demo agent work. Agents run with an API key from an
          admin and pick tasks up as soon as they are queued.
        </p>
      </div>
    );
  }

  return (
    <div className="task-table">
      <div className="task-list-head" aria-hidden="true">
        <span>Status</span>
        <span>Task</span>
        <span>Progress</span>
        <span>Time</span>
        <span />
      </div>
      <ol className="task-list" aria-label="Tasks, newest first" onKeyDown={onListKeyDown}>
        {tasks.map((task) => (
          <TaskRow key={task.id} task={task} selected={task.id === selectedId} onSelect={onSelect} />
        ))}
      </ol>
      <div className="task-list-foot">
        {list.hasNextPage ? (
          <button
            type="button"
            className="button"
            onClick={() => list.fetchNextPage()}
            disabled={list.isFetchingNextPage}
            data-testid="load-more"
          >
            {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        ) : (
          <span className="muted small">
            {tasks.length === 1 ? '1 task' : `${tasks.length.toLocaleString()} tasks`} · that’s all
          </span>
        )}
        {list.isFetchNextPageError && (
          <span className="field-error" role="alert">
            {errorMessage(list.error)}
          </span>
        )}
      </div>
    </div>
  );
}

function agentPart(filter: TaskFilter): string {
  return filter.agent ? ` for ${filter.agent}` : '';
}

interface TaskRowProps {
  task: Task;
  selected: boolean;
  onSelect(id: string): void;
}

/** One task; memoized so a snapshot of one task re-renders one row. */
const TaskRow = memo(function TaskRow({ task, selected, onSelect }: TaskRowProps) {
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the title button is the keyboard way in; the row is a bigger mouse target
    <li
      className={`task-row status-${task.status}${selected ? ' selected' : ''}`}
      data-testid="task-row"
      data-task-id={task.id}
      data-status={task.status}
      onClick={() => onSelect(task.id)}
    >
      <div className="cell-status">
        <StatusBadge status={task.status} />
      </div>
      <div className="cell-main">
        <button
          type="button"
          className="task-open"
          onClick={(e) => {
            e.stopPropagation();
            onSelect(task.id);
          }}
          aria-current={selected ? 'true' : undefined}
          data-testid="task-title"
        >
          {task.title}
        </button>
        <div className="task-meta">
          <span className={`agent-chip${task.agent ? '' : ' any'}`}>{task.agent ?? 'any agent'}</span>
          <span title={fullTime(task.createdAt)}>{shortTime(task.createdAt)}</span>
        </div>
        {task.status === 'failed' && task.error && (
          <p className="task-error" data-testid="task-error" title={task.error}>
            {task.error}
          </p>
        )}
      </div>
      <div className="cell-progress">
        <ProgressBar task={task} />
      </div>
      <div className="cell-duration">
        <TaskDuration task={task} />
      </div>
      <div className="cell-actions">
        <CancelButton task={task} compact />
      </div>
    </li>
  );
});
