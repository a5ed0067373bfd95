import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { LIMITS, ZHandle } from './schemas';
import {
  assertRunning,
  assertTransition,
  canTransition,
  LOG_LIMITS,
  MAX_JSON_BYTES,
  TASK_STATUSES,
  type TaskStatus,
  TERMINAL_STATUSES,
  ZAgentName,
  ZClaimInput,
  ZCompleteInput,
  ZCreateApiKeyInput,
  ZCreateTaskInput,
  ZLogInput,
  ZProgressInput,
  ZTaskListInput,
} from './tasks';

/** The legal moves, written out independently of the implementation's table. */
const LEGAL: Record<TaskStatus, TaskStatus[]> = {
  queued: ['in_progress', 'cancelled'],
  in_progress: ['awaiting_approval', 'completed', 'failed', 'cancelled'],
  awaiting_approval: ['in_progress', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

const ALL_PAIRS = TASK_STATUSES.flatMap((from) => TASK_STATUSES.map((to) => [from, to] as const));
const LEGAL_PAIRS = ALL_PAIRS.filter(([from, to]) => LEGAL[from].includes(to));
const ILLEGAL_PAIRS = ALL_PAIRS.filter(([from, to]) => !LEGAL[from].includes(to));

/** Runs `fn` and returns the AppError it throws (fails the test if it throws nothing or something else). */
function appErrorOf(fn: () => void): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError, nothing was thrown');
}

/** The zod issue messages of a failed parse (empty when it succeeded). */
function issues(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.success ? [] : (result.error?.issues.map((issue) => issue.message) ?? []);
}

describe('the task status machine', () => {
  it('has six statuses, three of them terminal', () => {
    expect([...TASK_STATUSES].sort()).toEqual(Object.keys(LEGAL).sort());
    expect([...TERMINAL_STATUSES].sort()).toEqual(['cancelled', 'completed', 'failed']);
    expect(ALL_PAIRS).toHaveLength(36);
    expect(LEGAL_PAIRS).toHaveLength(9);
  });

  it.each(LEGAL_PAIRS)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(ILLEGAL_PAIRS)('refuses %s → %s with CONFLICT', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const error = appErrorOf(() => assertTransition(from, to));
    expect(error.code).toBe('CONFLICT');
    // The sentence names the state the task is in, in words (no underscores).
    expect(error.message).toContain(from.replace('_', ' '));
    expect(error.message).not.toContain('_');
  });

  it('lets no terminal status go anywhere, not even to itself', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of TASK_STATUSES) expect(canTransition(from, to), `${from} → ${to}`).toBe(false);
    }
  });

  it('never allows staying in the same status', () => {
    for (const status of TASK_STATUSES) expect(canTransition(status, status), status).toBe(false);
  });

  it('explains a refused move in a sentence a person can act on', () => {
    expect(appErrorOf(() => assertTransition('cancelled', 'completed')).message).toBe(
      'cannot complete a task that is cancelled',
    );
    expect(appErrorOf(() => assertTransition('completed', 'cancelled')).message).toBe(
      'cannot cancel a task that is completed',
    );
    expect(appErrorOf(() => assertTransition('queued', 'completed')).message).toBe(
      'cannot complete a task that is queued',
    );
    expect(appErrorOf(() => assertTransition('failed', 'in_progress')).message).toBe(
      'cannot run a task that is failed',
    );
    expect(appErrorOf(() => assertTransition('queued', 'awaiting_approval')).message).toBe(
      'cannot ask approval for a task that is queued',
    );
    expect(appErrorOf(() => assertTransition('awaiting_approval', 'completed')).message).toBe(
      'cannot complete a task that is awaiting approval',
    );
    expect(appErrorOf(() => assertTransition('in_progress', 'queued')).message).toBe(
      'cannot queue a task that is in progress',
    );
  });
});

describe('assertRunning', () => {
  it.each(['in_progress', 'awaiting_approval'] as const)('lets a worker go on while the task is %s', (status) => {
    expect(() => assertRunning(status)).not.toThrow();
  });

  it.each(['queued', 'completed', 'failed', 'cancelled'] as const)(
    'tells the worker to stop with CONFLICT when the task is %s',
    (status) => {
      const error = appErrorOf(() => assertRunning(status));
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain(status);
      expect(error.message).toContain('stop');
    },
  );
});

describe('ZAgentName', () => {
  it('accepts letters, digits, dot, dash and underscore, and trims', () => {
    expect(ZAgentName.parse('  build-bot_2.eu  ')).toBe('build-bot_2.eu');
    expect(ZAgentName.parse('A')).toBe('A');
    expect(ZAgentName.parse('x'.repeat(64))).toHaveLength(64);
  });

  it.each([
    ['an empty name', ''],
    ['only spaces', '   '],
    ['a space inside', 'build bot'],
    ['a slash', 'a/b'],
    ['an @', '@bot'],
    ['a non-ASCII letter', 'zoë'],
    ['65 characters', 'x'.repeat(65)],
  ])('rejects %s', (_label, name) => {
    expect(ZAgentName.safeParse(name).success).toBe(false);
    expect(ZClaimInput.safeParse({ agent: name }).success).toBe(false);
    expect(ZCreateTaskInput.safeParse({ title: 'job', agent: name }).success).toBe(false);
  });

  it('explains the allowed characters', () => {
    expect(issues(ZAgentName.safeParse('a b'))).toEqual(['use letters, digits, dot, dash or underscore']);
  });
});

describe('ZCreateTaskInput', () => {
  it('accepts a title alone and trims it', () => {
    expect(ZCreateTaskInput.parse({ title: '  Build docs  ' })).toEqual({ title: 'Build docs' });
  });

  it('accepts an agent, a JSON input and a step count', () => {
    const input = { title: 'Resize', agent: 'img', input: { files: ['a.png'], scale: 0.5 }, totalSteps: 3 };
    expect(ZCreateTaskInput.parse(input)).toEqual(input);
  });

  it.each([
    ['an empty title', { title: '  ' }],
    ['a 201-character title', { title: 'x'.repeat(201) }],
    ['zero steps', { title: 't', totalSteps: 0 }],
    ['a fractional step count', { title: 't', totalSteps: 1.5 }],
    ['a BigInt input', { title: 't', input: 10n }],
    ['an input over the size cap', { title: 't', input: 'x'.repeat(MAX_JSON_BYTES) }],
  ])('rejects %s', (_label, input) => {
    expect(ZCreateTaskInput.safeParse(input).success).toBe(false);
  });
});

describe('ZTaskListInput', () => {
  it('defaults the page size to 25 and caps it at 100', () => {
    expect(ZTaskListInput.parse({})).toEqual({ limit: 25 });
    expect(ZTaskListInput.safeParse({ limit: 101 }).success).toBe(false);
    expect(ZTaskListInput.safeParse({ limit: 0 }).success).toBe(false);
    expect(ZTaskListInput.safeParse({ status: 'sleeping' }).success).toBe(false);
    expect(ZTaskListInput.parse({ status: 'awaiting_approval', cursor: 7 })).toEqual({
      status: 'awaiting_approval',
      cursor: 7,
      limit: 25,
    });
  });
});

describe('ZProgressInput', () => {
  it('accepts zero and positive progress', () => {
    expect(ZProgressInput.parse({ id: 't1', current: 0 })).toEqual({ id: 't1', current: 0 });
    expect(ZProgressInput.parse({ id: 't1', current: 3, total: 10, step: ' resize ' })).toEqual({
      id: 't1',
      current: 3,
      total: 10,
      step: 'resize',
    });
  });

  it('rejects negative progress with a readable message', () => {
    const result = ZProgressInput.safeParse({ id: 't1', current: -1 });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual(['progress cannot be negative']);
  });

  it.each([
    ['fractional progress', { id: 't1', current: 1.5 }],
    ['progress over a million', { id: 't1', current: 1_000_001 }],
    ['a zero total', { id: 't1', current: 0, total: 0 }],
    ['an empty id', { id: '', current: 1 }],
    ['a 201-character step', { id: 't1', current: 1, step: 'x'.repeat(201) }],
  ])('rejects %s', (_label, input) => {
    expect(ZProgressInput.safeParse(input).success).toBe(false);
  });
});

describe('ZLogInput', () => {
  it('accepts lines up to the line length and up to the lines per call', () => {
    expect(ZLogInput.safeParse({ id: 't1', lines: ['x'.repeat(LOG_LIMITS.lineLength)] }).success).toBe(true);
    expect(ZLogInput.safeParse({ id: 't1', lines: Array(LOG_LIMITS.linesPerCall).fill('ok') }).success).toBe(true);
    expect(ZLogInput.safeParse({ id: 't1', lines: [''] }).success).toBe(true);
  });

  it('rejects an oversize line and says how long a line may be', () => {
    const result = ZLogInput.safeParse({ id: 't1', lines: ['fine', 'x'.repeat(LOG_LIMITS.lineLength + 1)] });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual([`a log line is at most ${LOG_LIMITS.lineLength} characters`]);
  });

  it('rejects too many lines in one call, and none at all', () => {
    expect(ZLogInput.safeParse({ id: 't1', lines: Array(LOG_LIMITS.linesPerCall + 1).fill('x') }).success).toBe(false);
    expect(ZLogInput.safeParse({ id: 't1', lines: [] }).success).toBe(false);
  });
});

describe('ZCompleteInput', () => {
  it('accepts JSON results, and no result', () => {
    expect(ZCompleteInput.parse({ id: 't1' })).toEqual({ id: 't1' });
    for (const result of [null, 0, 'done', true, [1, 'two'], { nested: { ok: true, list: [] } }]) {
      expect(ZCompleteInput.parse({ id: 't1', result })).toEqual({ id: 't1', result });
    }
  });

  it('rejects a BigInt result as not JSON', () => {
    const result = ZCompleteInput.safeParse({ id: 't1', result: { total: 10n } });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual(['must be JSON']);
  });

  it('rejects a circular result as not JSON', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const result = ZCompleteInput.safeParse({ id: 't1', result: circular });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual(['must be JSON']);
  });

  it('rejects values JSON has no text for (a function, a symbol)', () => {
    expect(issues(ZCompleteInput.safeParse({ id: 't1', result: () => 1 }))).toEqual(['must be JSON']);
    expect(issues(ZCompleteInput.safeParse({ id: 't1', result: Symbol('x') }))).toEqual(['must be JSON']);
  });

  it('accepts a result of exactly MAX_JSON_BYTES and rejects one byte more', () => {
    // A string's JSON is the string plus two quotes.
    const atCap = 'x'.repeat(MAX_JSON_BYTES - 2);
    expect(ZCompleteInput.safeParse({ id: 't1', result: atCap }).success).toBe(true);
    const result = ZCompleteInput.safeParse({ id: 't1', result: `${atCap}x` });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual([`must be at most ${MAX_JSON_BYTES} bytes of JSON`]);
  });

  it('measures the cap in UTF-8 bytes, not characters', () => {
    // 'é' is one UTF-16 unit but two UTF-8 bytes: this result is half the cap in characters, over it in bytes.
    const accented = 'é'.repeat(MAX_JSON_BYTES / 2);
    expect(new TextEncoder().encode(JSON.stringify(accented)).length).toBeGreaterThan(MAX_JSON_BYTES);
    expect(issues(ZCompleteInput.safeParse({ id: 't1', result: accented }))).toEqual([
      `must be at most ${MAX_JSON_BYTES} bytes of JSON`,
    ]);
    // …while the same number of ASCII characters is fine.
    expect(ZCompleteInput.safeParse({ id: 't1', result: 'e'.repeat(MAX_JSON_BYTES / 2) }).success).toBe(true);
  });
});

describe('ZCreateApiKeyInput', () => {
  it('defaults the role to agent', () => {
    expect(ZCreateApiKeyInput.parse({ name: 'builder' })).toEqual({ name: 'builder', role: 'agent' });
    expect(ZCreateApiKeyInput.parse({ name: 'ci.bot', role: 'member' })).toEqual({ name: 'ci.bot', role: 'member' });
  });

  it.each([
    ['one character', 'x'],
    ['a space inside', 'ci bot'],
    ['a leading dash', '-bot'],
    ['an unknown role', 'bot', 'admin'],
  ])('rejects %s', (_label, name, role = 'agent') => {
    expect(ZCreateApiKeyInput.safeParse({ name, role }).success).toBe(false);
  });

  it('yields names that are valid user handles (the key acts as a user with handle = name)', () => {
    // Handles are lowercase: a key "Ada" must not live next to a user "ada".
    expect(ZCreateApiKeyInput.parse({ name: '  Build-Bot  ' }).name).toBe('build-bot');
    for (const name of ['ab', 'Release.Bot_2', 'x'.repeat(LIMITS.handle.max)]) {
      const parsed = ZCreateApiKeyInput.parse({ name }).name;
      expect(ZHandle.parse(parsed), name).toBe(parsed);
    }
    // A name longer than a handle may be is refused rather than stored as an impossible handle.
    expect(ZCreateApiKeyInput.safeParse({ name: 'x'.repeat(LIMITS.handle.max + 1) }).success).toBe(false);
  });
});
