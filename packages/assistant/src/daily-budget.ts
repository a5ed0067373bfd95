import { AppError, type RateLimiter, waitWords } from '@hubbub/core';

/** Assistant replies one person may ask for per day (retries count), counted by `limiter`. */
export interface DailyReplyBudget {
  /** Built with `replies` points over a day, keyed by user id (shared by a cluster when on Redis). */
  limiter: RateLimiter;
  /** The limiter's points: named in the refusal. */
  replies: number;
}

/** Takes one reply from `userId`'s budget, or throws TOO_MANY_REQUESTS saying when more come. */
export async function spendReply(budget: DailyReplyBudget | undefined, userId: string): Promise<void> {
  if (!budget) return;
  const decision = await budget.limiter.consume(userId);
  if (decision.allowed) return;
  throw new AppError(
    'TOO_MANY_REQUESTS',
    `You have used today's ${budget.replies} assistant ${budget.replies === 1 ? 'reply' : 'replies'}; more in ${waitWords(decision.retryAfterMs)}`,
    { retryAfterMs: decision.retryAfterMs },
  );
}
