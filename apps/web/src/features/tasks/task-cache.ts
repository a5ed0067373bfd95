import type {
  Approval,
  Task,
  TaskChange,
  TaskDetail,
  TaskFilter,
  TaskListData,
  TaskListPage,
  TaskLogLine,
  TimelineEntry,
} from './types';

/**
 * Pure updates of the task caches. Every event carries the full task, so an
 * update is "put the newest snapshot where it belongs"; all functions are
 * idempotent (a replay after a reconnect, or a fetch overlapping the stream,
 * converges to the same state) and return the same reference when nothing
 * changes.
 */

/** Log lines kept per open task in memory (the server keeps 1000 per task). */
export const MAX_LOG_LINES = 1000;

/** Filters in query keys: absent parts are left out, so `{}` and `{ agent: undefined }` are one query. */
export function normalizeFilter(filter: TaskFilter): TaskFilter {
  const out: TaskFilter = {};
  if (filter.status) out.status = filter.status;
  if (filter.agent) out.agent = filter.agent;
  return out;
}

export function matchesFilter(task: Task, filter: TaskFilter): boolean {
  return (!filter.status || task.status === filter.status) && (!filter.agent || task.agent === filter.agent);
}

const time = (iso: string) => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
};

/**
 * True when `incoming` is older than the snapshot already held. Equal times
 * are not stale: the stream is ordered, so of two updates in the same
 * millisecond the later one arrives last and must win.
 */
export function isStale(incoming: Task, held: Task | undefined): boolean {
  return held !== undefined && time(incoming.updatedAt) < time(held.updatedAt);
}

/**
 * The stream is one for everyone, so its snapshots of a sensitive task come
 * without input and result (`redacted`). A reader who holds them (task.list
 * and task.byId answer per reader) keeps them; a result set since arrives
 * with the reread of the detail when the task finishes.
 */
export function keepReadable(incoming: Task, held: Task | undefined): Task {
  if (!incoming.redacted || !held || held.redacted || held.id !== incoming.id) return incoming;
  return { ...incoming, input: held.input, result: held.result, redacted: false };
}

/** The newer of two snapshots of one task (the first on a tie). */
export function newest(a: Task, b: Task | undefined): Task {
  return b && isStale(a, b) ? b : a;
}

function replacePage(data: TaskListData, index: number, page: TaskListPage): TaskListData {
  const pages = data.pages.slice();
  pages[index] = page;
  return { ...data, pages };
}

const bySeqDesc = (a: Task, b: Task) => b.seq - a.seq;

/**
 * Which loaded page a task with this seq belongs in, or -1 if it is older
 * than everything loaded (it shows up when that page is loaded). A page
 * covers the seqs down to its nextCursor (the seq of its last item when read).
 */
function pageFor(data: TaskListData, seq: number): number {
  for (let i = 0; i < data.pages.length; i++) {
    const cursor = (data.pages[i] as TaskListPage).nextCursor;
    if (cursor === null || seq >= cursor) return i;
  }
  return -1;
}

/**
 * Puts a task snapshot into one filtered list: replaces the copy it holds
 * (unless that copy is newer), removes it when it no longer matches the
 * filter (a "running" list loses a task that completes), inserts it in seq
 * order when it newly matches and falls inside the loaded pages.
 */
export function applyTaskToList(
  data: TaskListData | undefined,
  task: Task,
  filter: TaskFilter,
): TaskListData | undefined {
  if (!data) return data;
  const fits = matchesFilter(task, filter);
  for (let i = 0; i < data.pages.length; i++) {
    const page = data.pages[i] as TaskListPage;
    const at = page.items.findIndex((t) => t.id === task.id);
    if (at === -1) continue;
    const held = page.items[at] as Task;
    if (held === task || isStale(task, held)) return data;
    const items = page.items.slice();
    if (fits) items[at] = keepReadable(task, held);
    else items.splice(at, 1);
    return replacePage(data, i, { ...page, items });
  }
  if (!fits) return data;
  const index = pageFor(data, task.seq);
  const page = data.pages[index];
  if (!page) return data;
  return replacePage(data, index, { ...page, items: [...page.items, task].sort(bySeqDesc) });
}

/** All loaded tasks, newest first, each once. */
export function flattenTasks(data: TaskListData | undefined): Task[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: Task[] = [];
  for (const page of data.pages) {
    for (const task of page.items) {
      if (seen.has(task.id)) continue;
      seen.add(task.id);
      out.push(task);
    }
  }
  return out.sort(bySeqDesc);
}

/**
 * A freshly fetched page against what the stream has told us since: each
 * item becomes the newest snapshot known, and items that no longer match the
 * filter leave.
 */
export function reconcilePage(
  page: TaskListPage,
  known: (id: string) => Task | undefined,
  filter: TaskFilter,
): TaskListPage {
  let changed = false;
  const items: Task[] = [];
  for (const item of page.items) {
    const best = keepReadable(newest(item, known(item.id)), item);
    if (best !== item) changed = true;
    if (matchesFilter(best, filter)) items.push(best);
    else changed = true;
  }
  return changed ? { ...page, items } : page;
}

// ── the detail (task.byId) ──

/** Inserts or replaces an approval by id; a decided approval never goes back to pending. */
export function upsertApproval(list: Approval[], approval: Approval): Approval[] {
  const at = list.findIndex((a) => a.id === approval.id);
  if (at === -1) {
    return [...list, approval].sort((a, b) => time(a.requestedAt) - time(b.requestedAt));
  }
  const held = list[at] as Approval;
  if (held.status !== 'pending' && approval.status === 'pending') return list;
  if (held.status === approval.status && held.comment === approval.comment && held.decidedAt === approval.decidedAt) {
    return list;
  }
  const next = list.slice();
  next[at] = approval;
  return next;
}

/** Adds a status change to the timeline when the status differs from the last entry. */
export function extendTimeline(timeline: TimelineEntry[], change: TaskChange): TimelineEntry[] {
  const status = change.task.status;
  const last = timeline.at(-1);
  if (last?.status === status) return timeline;
  // A replayed change older than the newest entry is history we already have.
  if (last && time(change.task.updatedAt) < time(last.at)) return timeline;
  return [...timeline, { type: change.type, status, at: change.task.updatedAt }];
}

/** Applies a stored event to the open detail of its task. */
export function applyChangeToDetail(detail: TaskDetail | undefined, change: TaskChange): TaskDetail | undefined {
  if (!detail || detail.task.id !== change.task.id) return detail;
  let next = detail;
  // Approvals have their own one-way lifecycle: they apply even from an event whose task snapshot is stale.
  if ('approval' in change) {
    const approvals = upsertApproval(next.approvals, change.approval);
    if (approvals !== next.approvals) next = { ...next, approvals };
  }
  if (!isStale(change.task, next.task) && change.task !== next.task) {
    next = { ...next, task: keepReadable(change.task, next.task), timeline: extendTimeline(next.timeline, change) };
  }
  return next;
}

/** Appends live log lines after the last one held (by seq), keeping the newest `max`. */
export function appendLogLines(logs: TaskLogLine[], lines: TaskLogLine[], max = MAX_LOG_LINES): TaskLogLine[] {
  const lastSeq = logs.at(-1)?.seq ?? 0;
  const fresh = lines.filter((l) => l.seq > lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return logs;
  const all = [...logs, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
}

/**
 * A refetched log (the newest 200 lines) joined with the lines already held:
 * older held lines stay in front of it and live lines that came after it stay
 * behind it, so a reread never shortens what is on screen.
 */
export function mergeLogs(held: TaskLogLine[], fetched: TaskLogLine[], max = MAX_LOG_LINES): TaskLogLine[] {
  const first = fetched[0]?.seq;
  const last = fetched.at(-1)?.seq;
  if (first === undefined || last === undefined) return held.length > 0 ? held : fetched;
  const before = held.filter((l) => l.seq < first);
  const after = held.filter((l) => l.seq > last);
  if (before.length === 0 && after.length === 0) return fetched;
  const all = [...before, ...fetched, ...after];
  return all.length > max ? all.slice(all.length - max) : all;
}

export function applyLogToDetail(detail: TaskDetail | undefined, lines: TaskLogLine[]): TaskDetail | undefined {
  if (!detail) return detail;
  const logs = appendLogLines(detail.logs, lines);
  return logs === detail.logs ? detail : { ...detail, logs };
}

/** The approvals waiting for a person: pending ones while the task waits for an answer. */
export function pendingApprovals(detail: TaskDetail | undefined): Approval[] {
  if (detail?.task.status !== 'awaiting_approval') return [];
  return detail.approvals.filter((a) => a.status === 'pending');
}

/**
 * How many lines before the first one shown are missing, and why: dropped
 * by the server (it keeps the newest 1000 per task) or just not loaded
 * (task.byId sends the newest 200).
 */
export function hiddenLogLines(logs: TaskLogLine[], logsDropped: number): { dropped: number; notLoaded: number } {
  const first = logs[0]?.seq;
  const before = first === undefined ? logsDropped : first - 1;
  return { dropped: logsDropped, notLoaded: Math.max(0, before - logsDropped) };
}
