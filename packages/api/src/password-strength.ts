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
  close(): Promise<void>;
}

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
 * one worker thread per process, started on first use: a check costs the
 * event loop a message, not the estimate. Every server in the process (tests
 * start many) shares it; it never keeps the process alive.
 */
export function strengthChecker(): StrengthChecker {
  shared ??= createStrengthChecker();
  return shared;
}

export function createStrengthChecker(): StrengthChecker {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(s: Strength): void; reject(e: unknown): void }>();

  const failAll = (error: unknown) => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
    worker = null;
  };
  const start = () => {
    const started = new Worker(new URL('./password-strength-worker.mjs', import.meta.url));
    started.unref();
    started.on('message', (answer: Strength & { id: number }) => {
      pending.get(answer.id)?.resolve(answer);
      pending.delete(answer.id);
    });
    started.on('error', failAll);
    started.on('exit', () => failAll(new Error('the password checker stopped')));
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
    async close() {
      const stopping = worker;
      worker = null;
      await stopping?.terminate();
    },
  };
}
