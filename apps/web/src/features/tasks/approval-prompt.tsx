import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage } from '../../lib/errors';
import { fullTime } from '../../lib/time';
import { useTRPC } from '../../trpc';
import { formatDuration } from './format';
import { useTaskDetailOptions, useTaskListOptions, useTaskLive } from './queries';
import { pendingApprovals } from './task-cache';
import type { Approval, Task } from './types';
import { useNow } from './use-now';

/** Whether the signed-in account may answer approvals (people may; agent keys may not). */
export function useCanDecide(): boolean {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: Number.POSITIVE_INFINITY }));
  return me.data ? me.data.role !== 'agent' : true;
}

interface ApprovalPromptProps {
  task: Task;
  approval: Approval;
  /** In the banner the task title opens the detail. */
  onOpen?: (taskId: string) => void;
}

/**
 * An agent asks before it goes on: what it wants to do, Approve / Reject and
 * an optional comment. The decision goes out at once; the prompt leaves when
 * the decision is recorded (the answer or the stream's approval_decided).
 */
export function ApprovalPrompt({ task, approval, onOpen }: ApprovalPromptProps) {
  const trpc = useTRPC();
  const live = useTaskLive();
  const canDecide = useCanDecide();
  const id = useId();
  const [comment, setComment] = useState('');
  const [choice, setChoice] = useState<boolean | null>(null);
  const now = useNow(true);
  const decide = useMutation(
    trpc.task.decide.mutationOptions({
      meta: { inlineErrors: true },
      onSuccess: (decided) => live.confirmApproval(decided),
      // Decided elsewhere, or the task moved on: reread it, so a stale prompt goes away.
      onError: () => live.refreshDetail(task.id),
    }),
  );

  const send = (approve: boolean) => {
    setChoice(approve);
    const text = comment.trim();
    decide.mutate({ approvalId: approval.id, approve, ...(text ? { comment: text } : {}) });
  };
  const waited = formatDuration(now - Date.parse(approval.requestedAt));

  return (
    <section
      className="approval"
      aria-labelledby={`${id}-title`}
      data-testid="approval-prompt"
      data-task-id={task.id}
      data-approval-id={approval.id}
    >
      <div className="approval-icon" aria-hidden="true">
        ?
      </div>
      <div className="approval-body">
        <p className="approval-kicker">
          <strong>{task.agent ?? 'An agent'}</strong> asks for approval
          {onOpen ? (
            <>
              {' '}
              on{' '}
              <button type="button" className="link-button" onClick={() => onOpen(task.id)}>
                {task.title}
              </button>
            </>
          ) : null}
          <span className="approval-waited" title={`Asked ${fullTime(approval.requestedAt)}`}>
            waiting {waited}
          </span>
        </p>
        <h3 className="approval-action" id={`${id}-title`} data-testid="approval-action">
          {approval.action}
        </h3>
        {approval.detail && <p className="approval-detail">{approval.detail}</p>}
        {canDecide ? (
          <div className="approval-controls">
            <label className="visually-hidden" htmlFor={`${id}-comment`}>
              Comment for the agent (optional)
            </label>
            <input
              id={`${id}-comment`}
              className="approval-comment"
              value={comment}
              maxLength={1000}
              onChange={(e) => setComment(e.target.value)}
              placeholder="Add a comment (optional)"
              disabled={decide.isPending}
              data-testid="approval-comment"
            />
            <button
              type="button"
              className="button reject"
              onClick={() => send(false)}
              disabled={decide.isPending}
              data-testid="reject-button"
            >
              {decide.isPending && choice === false ? 'Rejecting…' : 'Reject'}
            </button>
            <button
              type="button"
              className="button approve"
              onClick={() => send(true)}
              disabled={decide.isPending}
              data-testid="approve-button"
            >
              {decide.isPending && choice === true ? 'Approving…' : 'Approve'}
            </button>
          </div>
        ) : (
          <p className="muted small">Only a person can answer this.</p>
        )}
        {decide.error && (
          <p className="field-error" role="alert" data-testid="approval-error">
            {errorMessage(decide.error)}
          </p>
        )}
      </div>
    </section>
  );
}

/** The pending prompts of one task (from its detail, which the stream keeps current). */
function TaskApprovals({ taskId, onOpen }: { taskId: string; onOpen: (taskId: string) => void }) {
  const detail = useQuery(useTaskDetailOptions(taskId));
  const pending = pendingApprovals(detail.data);
  if (!detail.data || pending.length === 0) return null;
  const task = detail.data.task;
  return pending.map((a) => <ApprovalPrompt key={a.id} task={task} approval={a} onOpen={onOpen} />);
}

/**
 * Everything waiting for a person, at the top of the page: the tasks in
 * awaiting_approval (a live list like any other) and their pending requests.
 */
export function ApprovalsBanner({
  onOpen,
  waiting,
  onShowAll,
}: {
  onOpen: (taskId: string) => void;
  /** How many tasks wait in all (task.stats), to say when there are more than one page shows. */
  waiting: number | undefined;
  onShowAll(): void;
}) {
  const awaiting = useInfiniteQuery({
    ...useTaskListOptions({ status: 'awaiting_approval' }),
    select: (data) => data.pages.flatMap((p) => p.items.map((t) => t.id)),
  });
  const ids = awaiting.data ?? [];
  if (ids.length === 0) return null;
  const more = (waiting ?? 0) - ids.length;
  return (
    <section className="approvals" aria-label="Waiting for your approval" data-testid="approval-banner">
      {ids.map((id) => (
        <TaskApprovals key={id} taskId={id} onOpen={onOpen} />
      ))}
      {more > 0 && (
        <p className="approvals-more">
          {more === 1 ? '1 more task is' : `${more} more tasks are`} waiting for approval.{' '}
          <button type="button" className="link-button" onClick={onShowAll}>
            Show them all
          </button>
        </p>
      )}
    </section>
  );
}
