import { infiniteQueryOptions, queryOptions, useQueryClient } from '@tanstack/react-query';
import { type ApiClient, useTRPCClient } from '../../trpc';
import { normalizeFilter } from './task-cache';
import { type TaskLive, taskKeys, taskLiveFor } from './task-live';
import type { TaskDetail, TaskFilter, TaskListPage, TaskStats } from './types';

export const PAGE_SIZE = 25;

/** The session's task stream state (one per query client). */
export function useTaskLive(): TaskLive {
  return taskLiveFor(useQueryClient());
}

/**
 * A filtered task list as an infinite query (task.list pages by seq cursor).
 * The stream keeps it current, so it never refetches on its own.
 */
export function taskListOptions(client: ApiClient, live: TaskLive, filter: TaskFilter, limit = PAGE_SIZE) {
  const f = normalizeFilter(filter);
  return infiniteQueryOptions({
    queryKey: taskKeys.list(f),
    initialPageParam: null as number | null,
    queryFn: async ({ pageParam, signal }) => {
      const input = { ...f, limit, ...(pageParam ? { cursor: pageParam } : {}) };
      const page = (await client.task.list.query(input, { signal })) as TaskListPage;
      return live.catchUpPage(page, f, pageParam === null);
    },
    getNextPageParam: (last) => last.nextCursor,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useTaskListOptions(filter: TaskFilter, limit = PAGE_SIZE) {
  const client = useTRPCClient();
  return taskListOptions(client, useTaskLive(), filter, limit);
}

/** A task with its latest log lines, approvals and timeline; kept current by the stream. */
export function useTaskDetailOptions(id: string) {
  const client = useTRPCClient();
  const live = useTaskLive();
  return queryOptions({
    queryKey: taskKeys.detail(id),
    queryFn: async ({ signal }) => live.catchUpDetail((await client.task.byId.query({ id }, { signal })) as TaskDetail),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Counts per status and runs per minute; refetched (throttled) when statuses change, and each minute. */
export function useTaskStatsOptions() {
  const client = useTRPCClient();
  return queryOptions({
    queryKey: taskKeys.stats,
    queryFn: async ({ signal }): Promise<TaskStats> => client.task.stats.query(undefined, { signal }),
    staleTime: 5_000,
    refetchInterval: 60_000,
  });
}
