import { useQuery } from '@tanstack/react-query';
import { useTaskStatsOptions } from './queries';

/** How many tasks wait for a person's decision, on the Tasks link (the user stream keeps it current). */
export function ApprovalsBadge() {
  const waiting = useQuery(useTaskStatsOptions()).data?.counts.awaiting_approval ?? 0;
  if (waiting === 0) return null;
  return (
    <span className="unread mention-count" data-testid="approvals-badge" title={`${waiting} waiting for approval`}>
      {waiting > 99 ? '99+' : waiting}
      <span className="visually-hidden"> waiting for approval</span>
    </span>
  );
}
