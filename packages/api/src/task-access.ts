/** A task as a caller may see it, and the publishing of its changes and signals (channel-access.ts: the same for channels). */
import {
  forbidden,
  notFound,
  type Task,
  type TaskReader,
  type TaskSignal,
  type TaskStreamEvent,
  type User,
} from '@hubbub/core';
import type { AppDeps } from './context';
import { personAndAdmins } from './tool-approvals';

/** The bus topic of the task stream. */
export const TASKS_TOPIC = 'tasks';

/** Best effort, like the channel publish: the change is stored, and streams re-read the store when the bus is back. */
export function publishTask(deps: AppDeps, event: TaskStreamEvent): Promise<void> {
  return deps.bus.publish(TASKS_TOPIC, { kind: 'task', event }).catch(() => {});
}

export function publishTaskSignal(deps: AppDeps, signal: TaskSignal): Promise<void> {
  return deps.bus.publish(TASKS_TOPIC, { kind: 'task-signal', signal });
}

export async function requireTask(deps: AppDeps, id: string): Promise<Task> {
  const task = await deps.stores.tasks.byId(id);
  if (!task) throw notFound('task');
  return task;
}

/**
 * The agent names the caller's API key claims tasks for; null without a key
 * (a person). Read per call, like the key's revocation: the context carries
 * only the key's id.
 */
export async function keyAgents(deps: AppDeps, apiKeyId: string | null): Promise<string[] | null> {
  if (!apiKeyId) return null;
  const key = await deps.stores.apiKeys.byIdWithSecret(apiKeyId);
  return key?.agents ?? [];
}

/** The caller as the task sharing rule sees it (taskDataAccess). */
export async function taskReader(deps: AppDeps, user: User, apiKeyId: string | null): Promise<TaskReader> {
  const agents = user.role === 'agent' ? await keyAgents(deps, apiKeyId) : null;
  return { id: user.id, role: user.role, agents: agents ?? [] };
}

/** Only the worker that claimed a task (or an admin) may report on it. */
export async function requireOwnTask(deps: AppDeps, user: User, id: string): Promise<Task> {
  const task = await requireTask(deps, id);
  if (task.workerId && task.workerId !== user.id && user.role !== 'admin') {
    throw forbidden('this task is run by another worker');
  }
  return task;
}

/**
 * Fails running tasks whose worker has said nothing for `timeoutMs`, and
 * tells everyone. Returns how many it failed.
 */
export async function failStaleRuns(deps: AppDeps, timeoutMs: number): Promise<number> {
  const stale = await deps.stores.tasks.staleRuns(deps.clock.now() - timeoutMs);
  let failed = 0;
  for (const task of stale) {
    try {
      const { event } = await deps.stores.tasks.update(
        task.id,
        { status: 'failed', error: 'worker timed out' },
        'run_failed',
      );
      await publishTask(deps, event);
      failed++;
    } catch {
      // The worker answered (or someone cancelled) in the meantime: nothing to do.
    }
  }
  return failed;
}

/** Who is told that a task waits for a decision, and of the decision: its creator (when a person) and the admins. */
export async function approvers(deps: AppDeps, task: Task): Promise<string[]> {
  const creator = task.createdBy ? await deps.stores.users.byId(task.createdBy) : null;
  return personAndAdmins(deps, creator && creator.role !== 'agent' ? creator.id : undefined);
}
