import { TasksIcon } from '../../ui/icons';

/**
 * Placeholder until the dashboard is built: it says so plainly and shows no
 * sample data, so nobody mistakes it for real tasks.
 */
export function TasksPage() {
  return (
    <section className="empty-page" aria-labelledby="tasks-title" data-testid="tasks-page">
      <div className="empty-emoji" aria-hidden="true">
        <TasksIcon size={28} />
      </div>
      <h1 id="tasks-title">Tasks</h1>
      <p>
        The live task dashboard will appear here: work run by agents, its progress and logs as they happen, and
        approvals waiting for you.
      </p>
      <p className="muted">
        This page is a placeholder for now: the dashboard isn’t part of the web app yet, so there is nothing to show
        here. Chat works in the meantime.
      </p>
    </section>
  );
}
