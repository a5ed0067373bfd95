import { describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { LIMITS } from './limits';
import { ZHandle } from './schemas';
import {
  assertMayClaim,
  assertRunning,
  assertTransition,
  canTransition,
  LOG_LIMITS,
  logSignal,
  MAX_JSON_BYTES,
  redactTask,
  streamChange,
  TASK_STATUSES,
  type Task,
  type TaskChange,
  type TaskReader,
  type TaskStatus,
  TERMINAL_STATUSES,
  taskDataAccess,
  taskFor,
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

  it('accepts the sensitive flag as a boolean only', () => {
    expect(ZCreateTaskInput.parse({ title: 't', sensitive: true })).toEqual({ title: 't', sensitive: true });
    expect(ZCreateTaskInput.safeParse({ title: 't', sensitive: 'yes' }).success).toBe(false);
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

  it('takes the agent names the key may claim for, validated like agent names, each once', () => {
    expect(ZCreateApiKeyInput.parse({ name: 'ci', agents: ['builder', 'deployer', 'builder'] })).toEqual({
      name: 'ci',
      role: 'agent',
      agents: ['builder', 'deployer'],
    });
    expect(issues(ZCreateApiKeyInput.safeParse({ name: 'ci', agents: [] }))).toEqual(['name at least one agent']);
    expect(ZCreateApiKeyInput.safeParse({ name: 'ci', agents: ['build bot'] }).success).toBe(false);
    expect(
      ZCreateApiKeyInput.safeParse({
        name: 'ci',
        agents: Array(33)
          .fill('x')
          .map((x, i) => x + i),
      }).success,
    ).toBe(false);
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

const sensitiveTask = (patch: Partial<Task> = {}): Task => ({
  id: 't1',
  seq: 1,
  title: 'Rotate the database password',
  agent: 'builder',
  status: 'in_progress',
  input: { password: 'hunter2' },
  progress: { current: 1, total: 2, step: 'rotating' },
  error: null,
  result: { rotated: true },
  createdBy: 'creator',
  workerId: 'worker',
  createdAt: '2030-01-01T00:00:00.000Z',
  startedAt: '2030-01-01T00:00:01.000Z',
  completedAt: null,
  updatedAt: '2030-01-01T00:00:02.000Z',
  logsDropped: 0,
  sensitive: true,
  redacted: false,
  ...patch,
});
const reader = (id: string, role: TaskReader['role'] = 'member', agents: string[] = []): TaskReader => ({
  id,
  role,
  agents,
});

describe('taskDataAccess: who reads input, result and log', () => {
  it('shares a task that is not sensitive with every reader', () => {
    const task = sensitiveTask({ sensitive: false });
    expect(taskDataAccess(task, reader('someone'))).toBe('shared');
    expect(taskDataAccess(task, reader('other-key', 'agent', ['deployer']))).toBe('shared');
  });

  it.each([
    ['an admin', reader('boss', 'admin'), 'admin'],
    ['its creator', reader('creator'), 'creator'],
    ['the worker that claimed it', reader('worker', 'agent', ['something-else']), 'worker'],
    ['an agent key minted for its agent', reader('other-key', 'agent', ['deployer', 'builder']), 'agent'],
    ['another member', reader('someone'), 'hidden'],
    ['an agent key for other agents', reader('other-key', 'agent', ['deployer']), 'hidden'],
    ['a member key that names the agent (it cannot claim)', reader('script', 'member', ['builder']), 'hidden'],
  ] as const)('a sensitive task: %s → %s', (_label, who, expected) => {
    expect(taskDataAccess(sensitiveTask(), who)).toBe(expected);
  });

  it('hides a sensitive task meant for any agent from every agent key until one claims it', () => {
    const open = sensitiveTask({ agent: null, workerId: null });
    expect(taskDataAccess(open, reader('key', 'agent', ['builder']))).toBe('hidden');
  });

  it('matches no reader on a task without creator or worker', () => {
    expect(taskDataAccess(sensitiveTask({ createdBy: null, workerId: null }), reader('someone'))).toBe('hidden');
  });
});

describe('taskFor and redactTask', () => {
  it('gives a hidden reader the task without input and result, marked redacted, the rest intact', () => {
    const task = sensitiveTask();
    const seen = taskFor(task, reader('someone'));
    expect(seen).toEqual({ ...task, input: null, result: null, redacted: true });
    expect(task.input).toEqual({ password: 'hunter2' });
  });

  it('gives an allowed reader the task itself', () => {
    const task = sensitiveTask();
    expect(taskFor(task, reader('creator'))).toBe(task);
    expect(taskFor(sensitiveTask({ sensitive: false }), reader('someone')).redacted).toBe(false);
  });
});

describe('streamChange: what the shared task stream carries', () => {
  it('leaves input and result out of every change of a sensitive task, approvals kept', () => {
    const task = sensitiveTask();
    const approval = {
      id: 'a1',
      taskId: task.id,
      action: 'rotate now',
      detail: null,
      status: 'pending' as const,
      comment: null,
      requestedAt: task.updatedAt,
      decidedAt: null,
      decidedBy: null,
    };
    const changes: TaskChange[] = [
      { type: 'run_created', task },
      { type: 'run_complete', task },
      { type: 'approval_required', task, approval },
    ];
    for (const change of changes) {
      const sent = streamChange(change);
      expect(sent).toEqual({ ...change, task: redactTask(task) });
      expect(JSON.stringify(sent)).not.toContain('hunter2');
    }
  });

  it('passes a change of a shared task through as it is', () => {
    const change: TaskChange = { type: 'run_update', task: sensitiveTask({ sensitive: false }) };
    expect(streamChange(change)).toBe(change);
  });
});

describe('logSignal', () => {
  const lines = [{ seq: 1, at: '2030-01-01T00:00:00.000Z', line: 'using hunter2' }];

  it('carries the lines of a shared task', () => {
    expect(logSignal({ id: 't1', sensitive: false }, lines)).toEqual({
      type: 'log',
      taskId: 't1',
      lines,
      redacted: false,
    });
  });

  it('carries no lines for a sensitive task, only that there are new ones', () => {
    expect(logSignal({ id: 't1', sensitive: true }, lines)).toEqual({
      type: 'log',
      taskId: 't1',
      lines: [],
      redacted: true,
    });
  });
});

describe('assertMayClaim', () => {
  it('lets a key claim for the agent names it was minted for', () => {
    expect(() => assertMayClaim('builder', ['builder'])).not.toThrow();
    expect(() => assertMayClaim('deployer', ['builder', 'deployer'])).not.toThrow();
  });

  it('lets a caller without a key (an admin by hand) claim for anyone', () => {
    expect(() => assertMayClaim('anything', null)).not.toThrow();
  });

  it('refuses any other agent with FORBIDDEN, naming the allowed ones', () => {
    const error = appErrorOf(() => assertMayClaim('deployer', ['builder', 'docs']));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('this API key claims tasks only for "builder", "docs", not for "deployer"');
  });
});
