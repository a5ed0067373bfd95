import type { AppRouter, inferRouterOutputs } from '@hubbub/api';
import { backoffWithJitter } from '@hubbub/core';
import { TRPCClientError } from '@trpc/client';
import { createHubbubClient, type HubbubClientOptions } from './hubbub-client';

/** A task as it arrives over the wire (JSON). */
export type Task = NonNullable<inferRouterOutputs<AppRouter>['task']['claim']>;

export interface WorkerContext {
  /** Reports progress; the dashboard shows it at once. */
  progress(current: number, options?: { total?: number; step?: string }): Promise<void>;
  log(...lines: string[]): Promise<void>;
  /** Asks a person; resolves with their decision (the task waits in `awaiting_approval`). */
  requestApproval(action: string, detail?: string): Promise<{ approved: boolean; comment: string | null }>;
  /** Aborted when someone cancels the task (or the worker stops): stop working and return. */
  signal: AbortSignal;
}

export interface RunWorkerOptions {
  url: string;
  /** An agent API key (`hb_…`). */
  key: string;
  /** The agent name this worker takes tasks for (tasks created without an agent are taken too). */
  agent: string;
  /** Runs one task: its return value becomes the result; a throw fails the task with the error's message. */
  handle(task: Task, ctx: WorkerContext): Promise<unknown>;
  /** How often a running task says "still alive" (the server fails silent runs). Default 60 s. */
  heartbeatMs?: number;
  /** Safety net if a wake-up event is ever missed. Default 30 s. */
  pollMs?: number;
  /** Told about everything notable: claims, outcomes, retries. Default: silent. */
  onEvent?(event: WorkerEvent): void;
  WebSocket?: HubbubClientOptions['WebSocket'];
}

export type WorkerEvent =
  | { type: 'claimed'; task: Task }
  | { type: 'completed'; task: Task }
  | { type: 'failed'; task: Task; error: string }
  | { type: 'cancelled'; task: Task }
  | { type: 'retrying'; error: string; attempt: number };

export interface Worker {
  /** Stops claiming; a running task is aborted; resolves when the worker is idle and disconnected. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped; rejects when it stopped because the server refused its key (revoked). */
  done: Promise<void>;
}

class Cancelled extends Error {
  constructor() {
    super('the task was cancelled');
    this.name = 'Cancelled';
  }
}

/** A network failure (server down, restarting): worth retrying. Domain errors carry a code and are not. */
const isTransient = (error: unknown) => error instanceof TRPCClientError && !error.data;
const codeOf = (error: unknown) => (error instanceof TRPCClientError ? error.data?.code : undefined);
/** The server's machine-readable reason (docs/API.md, Errors): read instead of the message, which is for people. */
const reasonOf = (error: unknown) => (error instanceof TRPCClientError ? error.data?.reason : undefined);
/** How long the server asks a rate-limited call to wait (TOO_MANY_REQUESTS), or null for any other error. */
const retryAfterOf = (error: unknown): number | null =>
  error instanceof TRPCClientError && error.data?.code === 'TOO_MANY_REQUESTS'
    ? Number(error.data.retryAfterMs ?? 1000)
    : null;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs tasks for one agent: claims the oldest queued task, runs `handle`,
 * completes or fails it, and claims again. It waits on the task stream for
 * new work instead of polling, follows cancellations and approval decisions
 * live, and carries on by itself after the server restarts.
 */
export function runWorker(options: RunWorkerOptions): Worker {
  const stopping = new AbortController();
  /** Set when the server refused the key for good (revoked): the worker stops and `done` rejects with it. */
  let refused: Error | null = null;
  const refuse = (reason: string) => {
    refused ??= new Error(`the server refused this worker's API key: ${reason}`);
    stopping.abort();
  };
  const hub = createHubbubClient({
    url: options.url,
    token: options.key,
    WebSocket: options.WebSocket,
    onUnauthorized: refuse,
  });
  const api = hub.api;
  const running = new Map<string, AbortController>();
  const decisions = new Map<string, { approved: boolean; comment: string | null }>();
  const decisionWaiters = new Map<string, () => void>();
  let wake: (() => void) | null = null;
  const notify = options.onEvent ?? (() => {});

  let events: { unsubscribe(): void } | null = null;
  /**
   * Follows the task stream from a known position (task.list's eventId), so no
   * task created between this and the first claim can be missed.
   */
  async function follow() {
    const { eventId } = await call(() => api.task.list.query({ limit: 1 }));
    events = api.task.onEvent.subscribe(
      { lastEventId: eventId },
      {
        onData: ({ data }) => {
          if (data.type === 'run_created' && (!data.task.agent || data.task.agent === options.agent)) wake?.();
          if (data.type === 'run_cancelled') running.get(data.task.id)?.abort();
          if (data.type === 'approval_decided') {
            decisions.set(data.approval.id, {
              approved: data.approval.status === 'approved',
              comment: data.approval.comment,
            });
            decisionWaiters.get(data.approval.id)?.();
          }
          if (data.type === 'reset') wake?.();
        },
      },
    );
  }

  /**
   * Calls the server, waiting out restarts and rate limits (as long as the server asks); a call refused because
   * the task was cancelled aborts the run.
   */
  async function call<T>(fn: () => Promise<T>, run?: AbortController): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (run && reasonOf(error) === 'task_cancelled') {
          run.abort();
          throw new Cancelled();
        }
        const retryAfterMs = retryAfterOf(error);
        if (retryAfterMs !== null && !stopping.signal.aborted) {
          notify({ type: 'retrying', error: (error as Error).message, attempt });
          await sleep(retryAfterMs, stopping.signal);
          continue;
        }
        if (!isTransient(error) || stopping.signal.aborted) throw error;
        notify({ type: 'retrying', error: (error as Error).message, attempt });
        await sleep(backoffWithJitter(attempt, 500, 10_000), stopping.signal);
      }
    }
  }

  async function waitForDecision(approvalId: string, taskId: string, signal: AbortSignal) {
    while (!decisions.has(approvalId)) {
      if (signal.aborted) throw new Cancelled();
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        decisionWaiters.set(approvalId, done);
        signal.addEventListener('abort', done, { once: true });
        // If the live event was missed, ask the server now and then.
        const timer = setTimeout(done, options.pollMs ?? 30_000);
      });
      decisionWaiters.delete(approvalId);
      if (!decisions.has(approvalId) && !signal.aborted) {
        const detail = await call(() => api.task.byId.query({ id: taskId }));
        const found = detail.approvals.find((a) => a.id === approvalId && a.status !== 'pending');
        if (found) decisions.set(approvalId, { approved: found.status === 'approved', comment: found.comment });
      }
    }
    const decision = decisions.get(approvalId);
    decisions.delete(approvalId);
    return decision as { approved: boolean; comment: string | null };
  }

  async function runOne(task: Task) {
    const run = new AbortController();
    running.set(task.id, run);
    const onStop = () => run.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const heartbeat = setInterval(() => {
      call(() => api.task.heartbeat.mutate({ id: task.id }), run).catch(() => {});
    }, options.heartbeatMs ?? 60_000);
    const ctx: WorkerContext = {
      signal: run.signal,
      progress: async (current, opts = {}) => {
        await call(() => api.task.progress.mutate({ id: task.id, current, ...opts }), run);
      },
      log: async (...lines) => {
        if (lines.length > 0) await call(() => api.task.log.mutate({ id: task.id, lines }), run);
      },
      requestApproval: async (action, detail) => {
        const approval = await call(() => api.task.requestApproval.mutate({ id: task.id, action, detail }), run);
        return waitForDecision(approval.id, task.id, run.signal);
      },
    };
    notify({ type: 'claimed', task });
    try {
      const result = await options.handle(task, ctx);
      if (run.signal.aborted) throw new Cancelled();
      const done = await call(() => api.task.complete.mutate({ id: task.id, result: result ?? null }), run);
      notify({ type: 'completed', task: done });
    } catch (error) {
      if (run.signal.aborted || error instanceof Cancelled) {
        notify({ type: 'cancelled', task });
      } else {
        const message = error instanceof Error ? error.message : String(error);
        await call(() => api.task.fail.mutate({ id: task.id, error: message.slice(0, 2000) || 'failed' }), run).catch(
          () => {},
        );
        notify({ type: 'failed', task, error: message });
      }
    } finally {
      clearInterval(heartbeat);
      stopping.signal.removeEventListener('abort', onStop);
      running.delete(task.id);
    }
  }

  async function loop() {
    await follow();
    while (!stopping.signal.aborted) {
      let task: Task | null = null;
      try {
        task = await call(() => api.task.claim.mutate({ agent: options.agent }));
      } catch (error) {
        if (codeOf(error) === 'UNAUTHORIZED') refuse((error as Error).message);
        if (stopping.signal.aborted) break;
        notify({ type: 'retrying', error: (error as Error).message, attempt: 0 });
        await sleep(options.pollMs ?? 30_000, stopping.signal);
        continue;
      }
      if (task) {
        await runOne(task);
        continue;
      }
      // Stopped while the claim was in flight: an aborted signal fires no more 'abort' events to wait for.
      if (stopping.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stopping.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, options.pollMs ?? 30_000);
        stopping.signal.addEventListener('abort', done, { once: true });
        wake = done;
      });
      wake = null;
    }
  }

  const done = loop()
    .finally(async () => {
      events?.unsubscribe();
      await hub.close();
    })
    .then(() => {
      if (refused) throw refused;
    });

  return {
    done,
    async stop() {
      stopping.abort();
      await done.catch(() => {});
    },
  };
}
