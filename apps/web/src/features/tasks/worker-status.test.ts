import { describe, expect, it } from 'vitest';
import { seenAgo, workerProgressText, workerStatusText } from './worker-status';

const now = Date.parse('2026-12-03T12:00:00.000Z');
const before = (ms: number) => new Date(now - ms).toISOString();

describe('worker status words', () => {
  it('says how long ago a worker was seen, in the largest whole unit', () => {
    expect(seenAgo(before(20_000), now)).toBe('just now');
    expect(seenAgo(before(5 * 60_000 + 30_000), now)).toBe('5 min ago');
    expect(seenAgo(before(3 * 3_600_000 + 60_000), now)).toBe('3 h ago');
    expect(seenAgo(before(50 * 3_600_000), now)).toBe('2 d ago');
    expect(seenAgo(null, now)).toBe('never');
  });

  it('is "online", or offline with when it was last seen', () => {
    expect(workerStatusText({ online: true, lastSeenAt: before(5_000) }, now)).toBe('online');
    expect(workerStatusText({ online: false, lastSeenAt: before(5 * 60_000) }, now)).toBe(
      'offline · last seen 5 min ago',
    );
    expect(workerStatusText({ online: false, lastSeenAt: null }, now)).toBe('offline · never seen');
  });

  it('shows the current task’s progress as a count and its step', () => {
    expect(workerProgressText({ current: 2, total: 5, step: 'compiling' })).toBe('2/5 · compiling');
    expect(workerProgressText({ current: 7, total: 5 })).toBe('5/5');
    expect(workerProgressText({ current: 3, total: null })).toBe('3 steps');
    expect(workerProgressText({ current: 0, total: null, step: null })).toBe('');
  });
});
