import type { TodoItem, TodoStatus } from '@hubbub/core';
import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime, shortTime } from '../../lib/time';
import { PlanIcon } from '../../ui/icons';
import { openTodoCount, TODO_STATUS_LABEL, tickedStatus } from './todo-rules';
import { useTodos, useTodoUpdate } from './use-todos';
import './side-panel.css';
import './todos.css';

interface TodoPanelProps {
  channelId: string;
  /** Members who may post may tick items; everyone else reads the plan. */
  canPost: boolean;
  onClose(): void;
}

/** The channel's plan beside the conversation: the items an agent planned, ticked by the people here. */
export function TodoPanel({ channelId, canPost, onClose }: TodoPanelProps) {
  const headingId = useId();
  const todos = useTodos(channelId);
  const update = useTodoUpdate(channelId);
  const items = todos.data?.items ?? [];
  const done = items.filter((item) => item.status === 'done').length;
  const updatedAt = todos.data?.updatedAt ?? null;

  return (
    <aside className="side-panel todo-panel" aria-labelledby={headingId} data-testid="todo-panel">
      <header className="side-panel-header">
        <h2 id={headingId}>
          Plan{' '}
          {items.length > 0 && (
            <span className="muted small" data-testid="todo-progress">
              {done} of {items.length} done
            </span>
          )}
        </h2>
        <button
          type="button"
          className="icon-button"
          onClick={onClose}
          aria-label="Close the plan"
          title="Close"
          data-testid="todo-close"
        >
          ×
        </button>
      </header>
      <div className="todo-scroll">
        {todos.isPending && <p className="muted small">Loading the plan…</p>}
        {todos.error && (
          <p className="field-error" role="alert">
            {errorMessage(todos.error)}
          </p>
        )}
        {todos.data && items.length === 0 && (
          <div className="todo-empty" data-testid="todo-empty">
            <p>No plan yet.</p>
            <p className="muted small">
              Ask an agent to plan: <code>@assistant plan: first; second</code>. Its steps show here, and anyone who can
              post ticks them off.
            </p>
          </div>
        )}
        {items.length > 0 && (
          <ol className="todo-list" aria-label="Steps">
            {items.map((item) => (
              <TodoRow
                key={item.id}
                item={item}
                canPost={canPost}
                onTick={(status) => update.mutate({ channelId, id: item.id, status })}
              />
            ))}
          </ol>
        )}
        {update.error && (
          <p className="field-error" role="alert" data-testid="todo-error">
            Not saved: {errorMessage(update.error)}
          </p>
        )}
        {updatedAt && items.length > 0 && (
          <p className="muted small todo-updated">
            Updated{' '}
            <time dateTime={updatedAt} title={fullTime(updatedAt)}>
              {shortTime(updatedAt)}
            </time>
          </p>
        )}
        {!canPost && items.length > 0 && <p className="muted small">Join the channel to tick steps off.</p>}
      </div>
    </aside>
  );
}

/** One step with its box. */
function TodoRow({ item, canPost, onTick }: { item: TodoItem; canPost: boolean; onTick(status: TodoStatus): void }) {
  // The box follows the click at once; the plan's cache (optimistic, then the server's) takes over when it changes.
  const [ticked, setTicked] = useState<TodoStatus | null>(null);
  useEffect(() => setTicked(null), [item.status]);
  const status = ticked ?? item.status;
  return (
    <li className={`todo-item is-${status}`} data-testid="todo-item" data-status={status}>
      <label className="todo-label">
        <input
          type="checkbox"
          checked={status === 'done'}
          disabled={!canPost}
          onChange={(e) => {
            const next = tickedStatus(e.currentTarget.checked);
            setTicked(next);
            onTick(next);
          }}
          data-testid="todo-check"
        />
        <span className="todo-content" data-testid="todo-content">
          {item.content}
        </span>
      </label>
      {status === 'in_progress' && <span className="tag todo-tag">{TODO_STATUS_LABEL.in_progress.toLowerCase()}</span>}
    </li>
  );
}

/** The header's button for the plan: with the count of steps still open once there is a plan. */
export function PlanToggle({ channelId, open, onToggle }: { channelId: string; open: boolean; onToggle(): void }) {
  const todos = useTodos(channelId);
  const planned = (todos.data?.items.length ?? 0) > 0;
  const count = openTodoCount(todos.data);
  return (
    <button
      type="button"
      className="button subtle plan-toggle"
      aria-pressed={open}
      onClick={onToggle}
      aria-label={planned ? `Plan: ${count} open ${count === 1 ? 'step' : 'steps'}` : 'Plan'}
      title={open ? 'Hide the plan' : 'Show the plan'}
      data-testid="toggle-todos"
    >
      <PlanIcon />
      {planned && (
        <span className="plan-count" data-testid="todo-count">
          {count}
        </span>
      )}
    </button>
  );
}
