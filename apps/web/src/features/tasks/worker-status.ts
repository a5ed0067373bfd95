/** How the Workers panel describes an external worker (agent.workers): pure, so the words are tested. */

export interface WorkerView {
  online: boolean;
  lastSeenAt: string | null;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; "never" when the key was never used. */
export function seenAgo(lastSeenAt: string | null, now: number): string {
  if (!lastSeenAt) return 'never';
  const ms = now - Date.parse(lastSeenAt);
  if (Number.isNaN(ms)) return 'never';
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "online", or "offline · last seen 5 min ago" ("offline · never seen" for a key never used). */
export function workerStatusText(worker: WorkerView, now: number): string {
  if (worker.online) return 'online';
  const ago = seenAgo(worker.lastSeenAt, now);
  return ago === 'never' ? 'offline · never seen' : `offline · last seen ${ago}`;
}

/** "2/5 · compiling", "3 steps", or "" before any progress. */
export function workerProgressText(progress: { current: number; total: number | null; step?: string | null }): string {
  const { current, total, step } = progress;
  const count = total
    ? `${Math.min(current, total)}/${total}`
    : current > 0
      ? `${current} step${current === 1 ? '' : 's'}`
      : '';
  return [count, step].filter(Boolean).join(' · ');
}
