import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runWorker, type Worker, type WorkerContext } from '@hubbub/client';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { outDir, sessionToken, signUpThroughUi, useBrowserSuite, webSocketSwitch } from './browser-harness';

const WAIT = 15_000;
const AGENT = 'e2e-agent';

const suite = useBrowserSuite();
const { pageErrors } = suite;
const workers: Worker[] = [];

afterAll(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

/**
 * The worker's pace, set by the test: each `next` waits for an `allow` (given
 * before or after it), so the test sees one step on the page before the worker
 * takes the next, on a slow machine as on a fast one. After `release` it runs freely.
 */
function pace() {
  let allowed = 0;
  let free = false;
  let wake: (() => void) | undefined;
  const woken = () => {
    wake?.();
    wake = undefined;
  };
  return {
    async next(signal: AbortSignal): Promise<void> {
      while (!free && allowed === 0 && !signal.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (allowed > 0) allowed--;
    },
    allow(): void {
      allowed++;
      woken();
    },
    release(): void {
      free = true;
      woken();
    },
  };
}

/** The steps of the report task (released for good once the test has watched one run). */
const steps = pace();
/** The chatty run's live lines: one each time the test asks, until it releases them. */
const lines = pace();
/** The chatty run keeps talking until the test has seen what it needs. */
let chatterOn = true;

/**
 * A talkative run: 1,050 lines at once (the server keeps the newest 1,000
 * and drops the rest), a progress report, then a line whenever the test
 * allows one, until told to stop.
 */
async function chatter(ctx: WorkerContext) {
  for (let batch = 0; batch < 21; batch++) {
    await ctx.log(...Array.from({ length: 50 }, (_, i) => `bulk line ${batch * 50 + i + 1}`));
  }
  await ctx.progress(1, { total: 2, step: 'talking' });
  for (let i = 1; chatterOn && i <= 1000 && !ctx.signal.aborted; i++) {
    await ctx.log(`live line ${i}`);
    await lines.next(ctx.signal);
  }
  await ctx.log('that is all');
  await ctx.progress(2, { total: 2, step: 'done talking' });
  return { talked: true };
}

/** The trimming run's steps: one each time the test asks. */
const trims = pace();

/**
 * A run whose older lines the server drops while someone reads its log: 500 lines, then (when the test allows)
 * 600 more (the server keeps the newest 1,000), then (when allowed again) a progress report, which is when the
 * page hears how many were dropped: after the lines, with none of its own.
 */
async function trimmer(ctx: WorkerContext) {
  const batch = (from: number) => Array.from({ length: 50 }, (_, i) => `trim line ${from + i}`);
  for (let from = 1; from <= 500; from += 50) await ctx.log(...batch(from));
  await trims.next(ctx.signal);
  for (let from = 501; from <= 1100; from += 50) await ctx.log(...batch(from));
  await trims.next(ctx.signal);
  await ctx.progress(1, { total: 1, step: 'trimmed' });
  await trims.next(ctx.signal);
  return { trimmed: true };
}

/** Signs up through the UI (the first account is the admin) and opens the Tasks page. */
async function signUpAndOpenTasks(
  handle: string,
  options: {
    viewport?: { width: number; height: number };
    prepare?: (context: BrowserContext) => Promise<unknown>;
  } = {},
): Promise<Page> {
  const { viewport = { width: 1440, height: 1000 }, prepare } = options;
  const page = await suite.newPage(handle, { viewport, prepare });
  await signUpThroughUi(page, suite.server.url, handle, WAIT);
  await page.getByTestId('nav-tasks').click();
  await page.getByTestId('tasks-page').waitFor({ timeout: WAIT });
  return page;
}

/** An agent key minted with the browser user's own token (they are the admin). */
async function mintAgentKey(page: Page): Promise<string> {
  const admin = suite.server.client(await sessionToken(page));
  const { key } = await admin.api.apiKey.create.mutate({ name: AGENT, role: 'agent' });
  return key;
}

const row = (page: Page, title: string) => page.locator('[data-testid="task-row"]', { hasText: title });

/** The API as a new person signed up over HTTP (tasks they create show on the dashboard). */
async function apiOfNewPerson(handle: string) {
  const { token } = await suite.server.signup(handle);
  return suite.server.client(token).api;
}

/** Whether a task log shows its end (within a line of it). */
const atLogEnd = (log: Locator) => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24);

describe('the task dashboard in a real browser against a real server', () => {
  it('creates a task, watches a worker run it live, approves it and sees it complete', async () => {
    const { server } = suite;
    const page = await signUpAndOpenTasks('alice');

    // Nothing yet: the page says what to do.
    const empty = page.getByTestId('tasks-empty');
    await empty.waitFor({ timeout: WAIT });
    expect(await empty.textContent()).toContain('No tasks yet');
    expect(await empty.textContent()).toContain('pnpm demo');

    // A worker in this process: three steps (each at the test's pace) with log lines, then it asks before finishing.
    const key = await mintAgentKey(page);
    const seenInput: unknown[] = [];
    workers.push(
      runWorker({
        url: server.url,
        key,
        agent: AGENT,
        pollMs: 1000,
        handle: async (task, ctx) => {
          seenInput.push(task.input);
          if ((task.input as { chatty?: boolean } | null)?.chatty) return chatter(ctx);
          if ((task.input as { trims?: boolean } | null)?.trims) return trimmer(ctx);
          await ctx.log('starting up');
          for (let i = 1; i <= 3; i++) {
            await ctx.progress(i, { total: 3, step: `step ${i}` });
            await ctx.log(`finished step ${i} of 3`);
            await steps.next(ctx.signal);
          }
          const decision = await ctx.requestApproval('Publish the report', 'All three steps are done.');
          if (!decision.approved) throw new Error(`rejected: ${decision.comment ?? ''}`);
          await ctx.log(`approved with comment: ${decision.comment ?? '(none)'}`);
          return { published: true, steps: 3 };
        },
      }),
    );

    // The form: invalid JSON is caught inline before anything is sent.
    const form = page.getByTestId('create-task-form');
    await form.getByTestId('task-title-input').fill('Publish weekly report');
    await form.getByTestId('task-agent-input').fill(AGENT);
    await form.getByTestId('task-steps-input').fill('3');
    await form.getByTestId('add-input-button').click();
    const json = form.getByTestId('task-input-json');
    await json.fill('{"week": 12,}');
    expect(await form.getByTestId('json-error').textContent()).toMatch(/^Line 1, column \d+: /);
    expect(await form.getByTestId('create-task-submit').isDisabled()).toBe(true);
    await json.fill('{"week": 12}');
    expect(await form.getByTestId('json-error').count()).toBe(0);
    await form.getByTestId('create-task-submit').click();

    // The task shows up at once and its progress moves as the worker reports.
    const task = row(page, 'Publish weekly report');
    await task.waitFor({ timeout: WAIT });
    expect(await form.getByTestId('task-title-input').inputValue()).toBe('');
    await task.click();
    const detail = page.getByTestId('task-detail');
    await detail.waitFor({ timeout: WAIT });

    // The row's progress moves forward step by step to 3/3 (the worker takes a step once the page shows the last).
    const progress = task.getByTestId('progress-bar');
    for (let i = 1; i <= 3; i++) {
      await progress.filter({ hasText: `${i}/3` }).waitFor({ timeout: WAIT });
      expect(await progress.textContent()).toContain(`step ${i}`);
      steps.allow();
    }
    const banner = page.getByTestId('approval-banner');
    await banner.getByTestId('approval-prompt').waitFor({ timeout: WAIT });
    expect(await task.getByTestId('progress-bar').textContent()).toContain('step 3');
    expect(await task.getByTestId('progress-bar').textContent()).toContain('3/3');
    expect(await task.getByTestId('task-status').textContent()).toBe('Needs approval');
    expect(seenInput).toEqual([{ week: 12 }]);

    // The live log in the detail has every line so far.
    const log = detail.getByTestId('task-log');
    await log.locator('[data-testid="log-line"]', { hasText: 'finished step 3 of 3' }).waitFor({ timeout: WAIT });
    expect(await log.getByTestId('log-line').allTextContents()).toHaveLength(4);

    // The prompt: in the banner and in the detail; approving with a comment sends the decision.
    const prompt = banner.getByTestId('approval-prompt');
    expect(await prompt.getByTestId('approval-action').textContent()).toBe('Publish the report');
    expect(await detail.getByTestId('approval-prompt').count()).toBe(1);
    mkdirSync(outDir, { recursive: true });
    // Animations end at once for the picture: the prompt shows where it comes to rest after sliding in.
    await page.screenshot({ path: join(outDir, 'tasks-approval.png'), animations: 'disabled' });
    await prompt.getByTestId('approval-comment').fill('ship it');
    await prompt.getByTestId('approve-button').click();
    await prompt.waitFor({ state: 'detached', timeout: WAIT });
    expect(await detail.getByTestId('approval-prompt').count()).toBe(0);

    // The task completes: status, result, log, timeline and the counts all follow.
    await task.locator('[data-testid="task-status"][data-status="completed"]').waitFor({ timeout: WAIT });
    await detail.getByTestId('task-result').waitFor({ timeout: WAIT });
    expect(JSON.parse((await detail.getByTestId('task-result').textContent()) ?? '')).toEqual({
      published: true,
      steps: 3,
    });
    await log
      .locator('[data-testid="log-line"]', { hasText: 'approved with comment: ship it' })
      .waitFor({ timeout: WAIT });
    expect(await task.getByTestId('cancel-button').count()).toBe(0);
    const timeline = await detail.getByTestId('task-timeline').locator('li').allTextContents();
    expect(timeline.map((t) => t.replace(/[\d:\s.APM]+$/, ''))).toEqual([
      'Queued',
      'Running',
      'Needs approval',
      'Running',
      'Completed',
    ]);
    expect(await detail.getByTestId('approval-decision').textContent()).toContain('ship it');
    await page
      .locator('[data-testid="status-count"][data-status="completed"]', { hasText: '1' })
      .waitFor({ timeout: WAIT });
    await page.getByTestId('throughput-totals').filter({ hasText: '1 completed' }).waitFor({ timeout: WAIT });

    // Tall enough to show the whole dashboard beside the open detail.
    await page.setViewportSize({ width: 1440, height: 1300 });
    await page.screenshot({ path: join(outDir, 'tasks.png'), animations: 'disabled' });
    expect(existsSync(join(outDir, 'tasks.png'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('cancels a queued task, filters by status, and catches up after a dropped connection', async () => {
    // From here the worker runs each task through on its own.
    steps.release();
    // Bob's WebSocket runs through a switch: cut, every connection is dropped at once.
    const network = webSocketSwitch();
    const page = await signUpAndOpenTasks('bob', { viewport: { width: 1280, height: 900 }, prepare: network.install });
    await row(page, 'Publish weekly report').waitFor({ timeout: WAIT });

    // A task for an agent nobody runs stays queued; Bob cancels it (two steps: Cancel, then Yes).
    const api = await apiOfNewPerson('bob-http');
    await api.task.create.mutate({ title: 'Nobody runs this', agent: 'idle-agent' });
    const idle = row(page, 'Nobody runs this');
    await idle.locator('[data-testid="task-status"][data-status="queued"]').waitFor({ timeout: WAIT });
    await idle.getByTestId('cancel-button').click();
    await idle.getByTestId('confirm-cancel-button').click();
    await idle.locator('[data-testid="task-status"][data-status="cancelled"]').waitFor({ timeout: WAIT });

    // The status cards filter the list.
    await page.locator('[data-testid="status-count"][data-status="cancelled"]').click();
    await page.locator('[data-testid="task-row"]').first().waitFor({ timeout: WAIT });
    expect(await page.getByTestId('task-title').allTextContents()).toEqual(['Nobody runs this']);
    await page.locator('[data-testid="status-count"][data-status="all"]').click();
    await row(page, 'Publish weekly report').waitFor({ timeout: WAIT });

    // Cut off: the worker runs a whole task meanwhile; after the reconnect the dashboard has all of it.
    await network.cut();
    await page.getByTestId('tasks-live').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: WAIT });
    const quick = await api.task.create.mutate({ title: 'Runs while you are away', agent: AGENT });
    // The worker asks for approval at the end of every task: answer over HTTP while the browser is offline.
    const pending = await vi.waitFor(
      async () => {
        const { approvals } = await api.task.byId.query({ id: quick.id });
        const asked = approvals.find((a) => a.status === 'pending');
        if (!asked) throw new Error('the worker has not asked yet');
        return asked;
      },
      { timeout: WAIT, interval: 100 },
    );
    await api.task.decide.mutate({ approvalId: pending.id, approve: true });
    await expect
      .poll(async () => (await api.task.byId.query({ id: quick.id })).task.status, { timeout: WAIT, interval: 100 })
      .toBe('completed');
    network.restore();
    const away = row(page, 'Runs while you are away');
    await away.locator('[data-testid="task-status"][data-status="completed"]').waitFor({ timeout: WAIT });
    expect(await away.getByTestId('progress-bar').textContent()).toContain('3/3');
    await page.getByTestId('tasks-live').filter({ hasText: 'Live' }).waitFor({ timeout: WAIT });
    expect(await page.getByTestId('task-row').count()).toBe(3);
    expect(pageErrors).toEqual([]);
  });

  it('the log follows new lines, holds still when scrolled up, jumps back, and says what was dropped', async () => {
    const page = await signUpAndOpenTasks('carol');
    const api = await apiOfNewPerson('carol-http');
    const created = await api.task.create.mutate({ title: 'Chatty run', agent: AGENT, input: { chatty: true } });
    lines.allow();
    lines.allow();
    const chatty = row(page, 'Chatty run');
    await chatty.getByTestId('task-title').click();
    const log = page.getByTestId('task-detail').getByTestId('task-log');
    await log.locator('[data-testid="log-line"]', { hasText: 'live line 3' }).waitFor({ timeout: WAIT });

    // Following: the newest line is in view.
    expect(await atLogEnd(log)).toBe(true);

    // Scrolled up: it stays put while lines arrive, and offers a way back.
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    for (let more = 0; more < 3; more++) lines.allow();
    const jump = page.getByTestId('log-jump');
    await jump.filter({ hasText: 'new line' }).waitFor({ timeout: WAIT });
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    await jump.click();
    await jump.waitFor({ state: 'detached', timeout: WAIT });
    expect(await atLogEnd(log)).toBe(true);

    // When it is done: the last line is there, and the notice counts the lines the server dropped.
    chatterOn = false;
    lines.release();
    await chatty.locator('[data-testid="task-status"][data-status="completed"]').waitFor({ timeout: WAIT });
    await log.locator('[data-testid="log-line"]', { hasText: 'that is all' }).waitFor({ timeout: WAIT });
    const { task } = await api.task.byId.query({ id: created.id });
    expect(task.logsDropped).toBeGreaterThanOrEqual(50);
    await log
      .getByTestId('log-dropped')
      .filter({ hasText: `${task.logsDropped.toLocaleString('en-US')} older lines dropped` })
      .waitFor({ timeout: WAIT });
    expect(await atLogEnd(log)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('a log being followed stays at its end when the count of dropped lines comes after the lines', async () => {
    const page = await signUpAndOpenTasks('frank');
    const api = await apiOfNewPerson('frank-http');
    const created = await api.task.create.mutate({ title: 'Trimmed run', agent: AGENT, input: { trims: true } });
    // The worker runs one task at a time: whatever happens here, this one must finish for the tests after it.
    onTestFinished(() => trims.release());
    // Opened once the first 500 are stored: the page loads the newest 200 and says 300 more are not shown.
    await vi.waitFor(
      async () => {
        const { logs } = await api.task.byId.query({ id: created.id });
        if (logs.at(-1)?.line !== 'trim line 500') throw new Error('the worker is still writing');
      },
      { timeout: WAIT, interval: 100 },
    );
    await row(page, 'Trimmed run').getByTestId('task-title').click();
    const log = page.getByTestId('task-detail').getByTestId('task-log');
    await log.locator('[data-testid="log-line"]', { hasText: 'trim line 500' }).waitFor({ timeout: WAIT });
    await log.locator('.log-note', { hasText: '300 earlier lines not shown' }).waitFor({ timeout: WAIT });

    // 600 more lines: followed; the server drops the oldest 100, which the page does not know yet.
    trims.allow();
    await log.locator('[data-testid="log-line"]', { hasText: 'trim line 1100' }).waitFor({ timeout: WAIT });
    expect(await atLogEnd(log)).toBe(true);

    // The next report tells: a note for the dropped lines appears above, and the end stays in view.
    trims.allow();
    await log.getByTestId('log-dropped').filter({ hasText: '100 older lines dropped' }).waitFor({ timeout: WAIT });
    await log.locator('.log-note', { hasText: '200 earlier lines not shown' }).waitFor({ timeout: WAIT });
    expect(await atLogEnd(log)).toBe(true);
    expect(await page.getByTestId('log-jump').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('a sensitive task: its creator sees the input, another member sees "Hidden: sensitive task"', async () => {
    const dave = await signUpAndOpenTasks('dave');
    const form = dave.getByTestId('create-task-form');
    await form.getByTestId('task-title-input').fill('Rotate the vault key');
    await form.getByTestId('task-agent-input').fill('vault-agent'); // nobody runs it: it stays queued
    await form.getByTestId('add-input-button').click();
    await form.getByTestId('task-input-json').fill('{"vaultKey": "s3cret-key"}');
    await form.getByTestId('task-sensitive-checkbox').check();
    await form.getByTestId('create-task-submit').click();
    await row(dave, 'Rotate the vault key').getByTestId('task-title').click();
    const mine = dave.getByTestId('task-detail');
    await mine.getByTestId('task-input').filter({ hasText: 's3cret-key' }).waitFor({ timeout: WAIT });
    expect(await mine.getByTestId('task-sensitive').count()).toBe(1);

    const erin = await signUpAndOpenTasks('erin');
    await row(erin, 'Rotate the vault key').getByTestId('task-title').click();
    const theirs = erin.getByTestId('task-detail');
    await theirs.getByTestId('task-input-hidden').waitFor({ timeout: WAIT });
    expect(await theirs.getByTestId('task-input-hidden').textContent()).toBe('Hidden: sensitive task');
    expect(await theirs.getByTestId('task-input').count()).toBe(0);
    expect(await erin.content()).not.toContain('s3cret-key');
    expect(pageErrors).toEqual([]);
  });
});
