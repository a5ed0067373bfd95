import { blobKeysOf, failStaleRuns } from '@hubbub/api';
import { CONTROL_TOPIC } from '@hubbub/assistant';
import type { BusEvent, StoreSet } from '@hubbub/core';
import type { App } from './compose';

/** How often replies a dead instance left streaming are looked for, in a cluster. */
const REPLY_RECOVERY_MS = 30_000;
const SESSION_SWEEP_MS = 60_000;
/** Ended sessions are pruned from the store after this long. */
const ENDED_SESSIONS_KEPT_MS = 86_400_000;
const UPLOAD_SWEEP_MS = 60 * 60_000;
/** An upload not sent with a message within this long is deleted (rows and bytes). */
export const PENDING_UPLOADS_KEPT_MS = 24 * 60 * 60_000;

/** A timer that runs `tick` every `intervalMs` between start() and stop(); it never keeps the process alive. */
export function repeating(intervalMs: number, tick: () => void) {
  let timer: NodeJS.Timeout | null = null;
  return {
    start() {
      timer ??= setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export interface BackgroundJobs {
  /** Listens for other instances' requests, fails replies a dead instance left streaming, starts the timers. */
  start(): Promise<void>;
  /** The sweepers stop first on shutdown: nothing is swept while connections close. */
  stopSweepers(): void;
  /** After the connections: replies streaming here end, then the other instances' requests stop arriving. */
  stopAssistantWork(): Promise<void>;
}

/** The work the server does on its own: started by listen(), not while it is built; stopped by shutdown(). */
export function createBackgroundJobs(app: App): BackgroundJobs {
  const sweepers = [staleRunSweeper(app), sessionSweeper(app), uploadSweeper(app)];
  const replyRecovery = app.backends.cluster
    ? repeating(REPLY_RECOVERY_MS, () => recoverReplies(app).catch(() => {}))
    : null;
  let detachControl: (() => Promise<void>) | null = null;
  return {
    async start() {
      detachControl ??= await app.backends.bus.subscribe(CONTROL_TOPIC, (event) => handleControl(app, event));
      await recoverReplies(app);
      replyRecovery?.start();
      for (const sweeper of sweepers) sweeper.start();
    },
    stopSweepers() {
      for (const sweeper of sweepers) sweeper.stop();
    },
    async stopAssistantWork() {
      await app.assistant.stopAll();
      await detachControl?.();
      detachControl = null;
      replyRecovery?.stop();
    },
  };
}

/** Running tasks whose worker has been silent for the task timeout are failed ("worker timed out"). */
function staleRunSweeper({ deps, config }: App) {
  const { logger, taskTimeoutMs } = config;
  return repeating(Math.max(50, Math.min(30_000, taskTimeoutMs / 4)), () => {
    failStaleRuns(deps, taskTimeoutMs)
      .then((n) => n > 0 && logger.warn({ failed: n }, 'stale task runs failed'))
      .catch((err) => logger.error({ err }, 'stale run sweep failed'));
  });
}

/** Sockets whose sign-in reached its absolute end are closed; ended sessions are forgotten after a day. */
function sessionSweeper({ credentials, backends, config }: App) {
  return repeating(SESSION_SWEEP_MS, () => {
    const now = Date.now();
    credentials.closeExpired(now);
    backends.stores.sessions.prune(new Date(now - ENDED_SESSIONS_KEPT_MS).toISOString()).catch((err) => {
      config.logger.error({ err }, 'session prune failed');
    });
  });
}

/** Uploads never sent (and files whose message is gone) are deleted: rows first, then their bytes. */
export async function sweepUploads(
  { attachments, blobs }: Pick<StoreSet, 'attachments' | 'blobs'>,
  now: number,
): Promise<number> {
  const removed = await attachments.removeStale(new Date(now - PENDING_UPLOADS_KEPT_MS).toISOString());
  if (removed.length > 0) await blobs.delete(removed.flatMap(blobKeysOf));
  return removed.length;
}

function uploadSweeper(app: App) {
  return repeating(UPLOAD_SWEEP_MS, () => {
    sweepUploads(app.backends.stores, Date.now())
      .then((n) => n > 0 && app.config.logger.info({ removed: n }, 'stale uploads removed'))
      .catch((err) => app.config.logger.error({ err }, 'upload sweep failed'));
  });
}

/** Requests between instances (stop a reply streaming here, close a revoked key's sockets): one bus subscription. */
function handleControl({ credentials, assistant, config }: App, event: BusEvent): void {
  if (event.kind !== 'control') return;
  if (event.command.type === 'end-credentials') {
    const closed = credentials.end(event.command);
    if (closed > 0)
      config.logger.info({ closed, reason: event.command.reason }, 'closed connections of ended credentials');
  } else assistant.handleControl(event.command);
}

/** Replies a dead instance left streaming are failed (at start, and now and then in a cluster). */
async function recoverReplies({ backends, assistant, config }: App): Promise<void> {
  const alive = new Set((await backends.cluster?.instances())?.map((i) => i.instance) ?? []);
  const failed = await assistant.recoverInterrupted((name) => alive.has(name));
  if (failed > 0) config.logger.warn({ failed }, 'marked interrupted assistant replies as failed');
}
