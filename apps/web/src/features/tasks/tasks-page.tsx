import { ZAgentName } from '@hubbub/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { useStore } from '../../lib/store';
import { toast } from '../../lib/toast';
import type { StreamState } from '../../lib/use-resumable-subscription';
import { ApprovalsBanner } from './approval-prompt';
import { CreateTaskForm } from './create-task-form';
import { useTaskListOptions, useTaskLive, useTaskStatsOptions } from './queries';
import { StatusSummary } from './status-summary';
import { flattenTasks, matchesFilter } from './task-cache';
import { TaskDetail } from './task-detail';
import { TaskList } from './task-list';
import { TaskStream } from './task-stream';
import './tasks.css';
import { ThroughputChart } from './throughput-chart';
import { STATUS_LABEL, type Task, type TaskFilter, type TaskStatus } from './types';
import { WorkersPanel } from './workers-panel';

const AGENT_DEBOUNCE_MS = 300;
const STREAM_LABEL: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  error: 'Not live',
};

/**
 * The live task dashboard: what needs approval, counts and throughput, a
 * form to queue work, the workers and what they run, and every task with its
 * progress, newest first; a task opens in a side panel with its live log.
 */
export function TasksPage() {
  const live = useTaskLive();
  const [status, setStatus] = useState<TaskStatus | undefined>(undefined);
  const [agentText, setAgentText] = useState('');
  const [agent, setAgent] = useState<string | undefined>(undefined);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  const filter = useMemo<TaskFilter>(() => ({ status, agent }), [status, agent]);

  const list = useInfiniteQuery(useTaskListOptions(filter));
  const stats = useQuery(useTaskStatsOptions());
  const streamError = useStore(live.streamError, (e) => e);
  const streamState = useStore(live.streamState, (s) => s);

  // The agent filter applies once typing pauses, and only when it is a valid agent name.
  const agentCheck = agentText.trim() ? ZAgentName.safeParse(agentText) : null;
  const agentError = agentCheck && !agentCheck.success ? 'Letters, digits, dot, dash or underscore.' : undefined;
  useEffect(() => {
    const next = agentText.trim() || undefined;
    if (next && !ZAgentName.safeParse(next).success) return;
    const timer = setTimeout(() => setAgent(next), next ? AGENT_DEBOUNCE_MS : 0);
    return () => clearTimeout(timer);
  }, [agentText]);

  // Agents seen in the loaded tasks, for the filter's and the form's suggestions.
  const agents = useMemo(() => {
    const names = new Set<string>();
    for (const t of flattenTasks(list.data)) if (t.agent) names.add(t.agent);
    if (agent) names.add(agent);
    return [...names].sort();
  }, [list.data, agent]);

  const open = useCallback((id: string) => {
    if (document.activeElement instanceof HTMLElement && !document.activeElement.closest('.task-detail')) {
      returnFocus.current = document.activeElement;
    }
    setSelectedId(id);
  }, []);
  const close = useCallback(() => {
    setSelectedId(null);
    const back = returnFocus.current;
    returnFocus.current = null;
    if (back?.isConnected) requestAnimationFrame(() => back.focus());
  }, []);

  // Escape closes the detail (the cancel confirm swallows its own Escape first).
  useEffect(() => {
    if (!selectedId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]')) close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectedId, close]);

  const clearFilter = () => {
    setStatus(undefined);
    setAgentText('');
    setAgent(undefined);
  };

  const onCreated = (task: Task) => {
    if (!matchesFilter(task, filter)) toast(`“${task.title}” is queued; the current filter hides it.`, 'info');
  };

  return (
    <div className={`tasks${selectedId ? ' with-detail' : ''}`} data-testid="tasks-page">
      <div className="tasks-main">
        <header className="tasks-header">
          <div>
            <h1 id="tasks-title">Tasks</h1>
            <p className="muted">Work run by agents, live: progress, logs, and approvals waiting for you.</p>
          </div>
          <span
            className={`live-dot${streamState === 'live' ? '' : ' down'}`}
            data-testid="tasks-live"
            data-state={streamState}
            title={streamState === 'live' ? 'Changes appear as they happen' : 'Changes will catch up when connected'}
          >
            {STREAM_LABEL[streamState]}
          </span>
        </header>

        {streamError && (
          <div className="banner tasks-banner" role="status">
            Live updates interrupted: {streamError}. Retrying…
          </div>
        )}

        <ApprovalsBanner
          onOpen={open}
          waiting={stats.data?.counts.awaiting_approval}
          onShowAll={() => setStatus('awaiting_approval')}
        />

        <section className="tasks-overview" aria-label="Overview">
          <StatusSummary stats={stats.data} active={status} onSelect={setStatus} />
          {stats.isError && !stats.data && (
            <p className="field-error small" role="alert">
              Couldn’t load the counts: {errorMessage(stats.error)}
            </p>
          )}
          <div className="tasks-overview-row">
            <CreateTaskForm agents={agents} onCreated={onCreated} />
            <ThroughputChart stats={stats.data} loading={stats.isPending} />
          </div>
          {/* Who runs the work: reread whenever the stream changes the list (a claim, progress, an end). */}
          <WorkersPanel changed={list.dataUpdatedAt} onOpen={open} />
        </section>

        <section className="tasks-list-section" aria-labelledby="task-list-title">
          <div className="task-filters">
            <h2 id="task-list-title">
              {status ? `${STATUS_LABEL[status]} tasks` : 'All tasks'}
              {agent ? <span className="muted"> · {agent}</span> : null}
            </h2>
            <div className="task-filter-controls">
              <label className="filter-field">
                <span className="visually-hidden">Filter by status</span>
                <select
                  value={status ?? ''}
                  onChange={(e) => setStatus((e.target.value || undefined) as TaskStatus | undefined)}
                  data-testid="status-filter"
                >
                  <option value="">Any status</option>
                  {Object.entries(STATUS_LABEL).map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter-field">
                <span className="visually-hidden">Filter by agent</span>
                <input
                  type="search"
                  value={agentText}
                  onChange={(e) => setAgentText(e.target.value)}
                  placeholder="Filter by agent"
                  list="task-agent-options"
                  aria-invalid={agentError ? true : undefined}
                  aria-describedby={agentError ? 'agent-filter-error' : undefined}
                  spellCheck={false}
                  data-testid="agent-filter"
                />
                <datalist id="task-agent-options">
                  {agents.map((a) => (
                    <option key={a} value={a} />
                  ))}
                </datalist>
              </label>
              {(status || agentText) && (
                <button type="button" className="button subtle small" onClick={clearFilter}>
                  Clear filters
                </button>
              )}
            </div>
          </div>
          {agentError && (
            <p className="field-error small filter-error" id="agent-filter-error" role="alert">
              {agentError}
            </p>
          )}
          <TaskList list={list} filter={filter} selectedId={selectedId} onSelect={open} onClearFilter={clearFilter} />
        </section>
      </div>

      {selectedId && <TaskDetail key={selectedId} taskId={selectedId} onClose={close} />}
      <TaskStream anchor={list.data?.pages[0]?.eventId ?? null} />
    </div>
  );
}
