import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { errorMessage } from '../../lib/errors';
import { useTRPC } from '../../trpc';
import { workerProgressText, workerStatusText } from './worker-status';

/** The server counts a worker online when it was seen in the last minute: reread at this pace. */
const REFETCH_MS = 15_000;
/** While tasks change (a claim, progress), at most one reread per this many ms. */
const CHANGE_THROTTLE_MS = 2_000;

/**
 * The external workers (agent API keys): online or when last seen, and the task each runs now.
 * Read every 15 s and, throttled, whenever the task stream changes what is on the page (`changed`).
 */
export function WorkersPanel({ changed, onOpen }: { changed: number; onOpen(taskId: string): void }) {
  const trpc = useTRPC();
  const workers = useQuery(trpc.agent.workers.queryOptions(undefined, { refetchInterval: REFETCH_MS }));
  useThrottledRefetch(changed, workers.refetch);
  // Times are measured from the last read, which comes every 15 s: no clock of its own needed.
  const now = workers.dataUpdatedAt || Date.now();
  const list = workers.data ?? [];

  return (
    <section className="workers card" aria-labelledby="workers-title" data-testid="workers-panel">
      <div className="card-head">
        <h2 className="card-title" id="workers-title">
          Workers
        </h2>
        {list.length > 0 && (
          <span className="muted small">
            {list.filter((w) => w.online).length} of {list.length} online
          </span>
        )}
      </div>
      {workers.isError && !workers.data ? (
        <p className="field-error small" role="alert">
          Couldn’t load the workers: {errorMessage(workers.error)}
        </p>
      ) : workers.isPending ? (
        <p className="muted small">Loading…</p>
      ) : list.length === 0 ? (
        <p className="muted small" data-testid="workers-empty">
          No workers yet: create an agent API key and run a worker with it, or run <code>pnpm demo</code> (it mints a
          demo key and runs one).
        </p>
      ) : (
        <ul className="worker-list">
          {list.map((w) => (
            <li
              key={w.name}
              className={`worker-row${w.online ? ' is-online' : ''}`}
              data-testid="worker-row"
              data-name={w.name}
              data-online={w.online}
            >
              <span className="worker-dot" aria-hidden="true" />
              <span className="worker-who">
                <span className="worker-name">{w.name}</span>
                {w.agents.length > 0 && w.agents.join(',') !== w.name && (
                  <span className="muted small"> · {w.agents.join(', ')}</span>
                )}
              </span>
              <span className="worker-state" data-testid="worker-state">
                {workerStatusText(w, now)}
              </span>
              <span className="worker-task">
                {w.currentTask ? (
                  <button
                    type="button"
                    className="link-button worker-task-link"
                    onClick={() => w.currentTask && onOpen(w.currentTask.id)}
                    data-testid="worker-task"
                  >
                    <span className="worker-task-title">{w.currentTask.title}</span>
                    {workerProgressText(w.currentTask.progress) && (
                      <span className="muted"> · {workerProgressText(w.currentTask.progress)}</span>
                    )}
                  </button>
                ) : (
                  <span className="muted">{w.online ? 'idle' : ''}</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Calls `refetch` when `signal` changes: at once, then at most every CHANGE_THROTTLE_MS (the last change is never lost). */
function useThrottledRefetch(signal: number, refetch: () => unknown) {
  const last = useRef(0);
  const refetchRef = useRef(refetch);
  refetchRef.current = refetch;
  const first = useRef(true);
  useEffect(() => {
    // The first value is the page's own load, read together with the workers.
    if (first.current) {
      first.current = false;
      return;
    }
    const wait = last.current + CHANGE_THROTTLE_MS - Date.now();
    const run = () => {
      last.current = Date.now();
      void refetchRef.current();
    };
    if (wait <= 0) {
      run();
      return;
    }
    const timer = setTimeout(run, wait);
    return () => clearTimeout(timer);
  }, [signal]);
}
