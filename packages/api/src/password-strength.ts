import { Worker } from 'node:worker_threads';
import { AppError } from '@hubbub/core';

export interface Strength {
  /** zxcvbn's score: 0 (guessed at once) … 4 (very unlikely to be guessed). */
  score: number;
  warning: string | null;
  suggestions: string[];
}

/** The least score a new password needs: zxcvbn's "safely unguessable" against a throttled online attack and more. */
export const MIN_SCORE = 3;

export interface StrengthChecker {
  /** Refuses a weak password with a readable reason (BAD_REQUEST); `userInputs` are words the person is known by. */
  assertStrong(password: string, userInputs: string[]): Promise<void>;
  /** Loads the dictionaries now (a server calls it at start), so the first sign-up does not wait for them. */
  warm(): void;
  /** Whether the estimator is loaded (its worker holds the dictionaries) right now. */
  readonly loaded: boolean;
  close(): Promise<void>;
}

/**
 * A checker with nothing to check for this long lets its worker go: the dictionaries hold ~75 MB of a server's
 * memory, and sign-ups come rarely after the first minutes. The next check loads them again (~0.5 s).
 */
export const STRENGTH_IDLE_MS = 10 * 60_000;

/** The checks that need no estimator, with their own plain reasons. */
function obviousWeakness(password: string, userInputs: string[]): string | null {
  const lower = password.toLowerCase();
  if (!password.trim()) return 'a password of only spaces is easy to guess';
  if (new Set(password).size <= 2) return 'a password of one or two repeated characters is easy to guess';
  if (userInputs.some((input) => input && lower === input.toLowerCase()))
    return 'do not use your handle as your password';
  return null;
}

let shared: StrengthChecker | null = null;

/**
 * zxcvbn (zxcvbn-ts, with its common-password and English dictionaries) in
 * one worker thread per process, started on first use and let go when idle
 * (STRENGTH_IDLE_MS): a check costs the event loop a message, not the
 * estimate. Every server in the process (tests start many) shares it; it
 * never keeps the process alive.
 */
export function strengthChecker(): StrengthChecker {
  shared ??= createStrengthChecker();
  return shared;
}

export function createStrengthChecker({ idleMs = STRENGTH_IDLE_MS } = {}): StrengthChecker {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(s: Strength): void; reject(e: unknown): void }>();
  let idleTimer: NodeJS.Timeout | null = null;

  /** Lets `stopped` go; its unanswered checks fail (a worker let go for idleness has none). */
  const letGo = (stopped: Worker, error: unknown) => {
    if (worker !== stopped) return;
    worker = null;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };
  /** Stops the worker, failing the checks still waiting with `error` (an idle one has none). */
  const stop = async (error: Error) => {
    const stopping = worker;
    if (!stopping) return;
    letGo(stopping, error);
    await stopping.terminate();
  };
  const stopIfIdle = () => {
    if (pending.size === 0) void stop(new Error('the password checker was idle'));
  };
  /** After an answer: with nothing left to check, the worker goes in `idleMs` unless another check comes. */
  const restartIdleClock = () => {
    if (pending.size > 0) return;
    if (idleTimer) idleTimer.refresh();
    else idleTimer = setTimeout(stopIfIdle, idleMs).unref();
  };
  const start = () => {
    const started = new Worker(new URL('./password-strength-worker.mjs', import.meta.url));
    started.unref();
    started.on('message', (answer: Strength & { id: number }) => {
      pending.get(answer.id)?.resolve(answer);
      pending.delete(answer.id);
      restartIdleClock();
    });
    started.on('error', (error) => letGo(started, error));
    started.on('exit', () => letGo(started, new Error('the password checker stopped')));
    return started;
  };
  const estimate = (password: string, userInputs: string[]) =>
    new Promise<Strength>((resolve, reject) => {
      worker ??= start();
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs });
    });

  return {
    async assertStrong(password, userInputs) {
      const obvious = obviousWeakness(password, userInputs);
      if (obvious) throw new AppError('BAD_REQUEST', `Choose a stronger password: ${obvious}.`);
      const { score, warning, suggestions } = await estimate(password, userInputs);
      if (score >= MIN_SCORE) return;
      const why = [warning, ...suggestions].filter(Boolean).join(' ');
      throw new AppError('BAD_REQUEST', `Choose a stronger password. ${why || 'Add another word or two.'}`.trim());
    },
    warm() {
      estimate('warm up', []).catch(() => {});
    },
    get loaded() {
      return worker !== null;
    },
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      await stop(new Error('the password checker was closed'));
    },
  };
}
