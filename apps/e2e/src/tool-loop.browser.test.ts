import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { outDir, sessionToken, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

// The built-in offline model: its commands (create a task, plan:, find) each make one tool call.
const suite = useBrowserSuite();
const { pageErrors } = suite;

beforeAll(async () => {
  // The first account is the admin: take it here, so the people in the browser are plain members.
  await suite.server.signup('root');
});

async function signUp(handle: string): Promise<Page> {
  const page = await suite.signUp(handle);
  await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
  return page;
}

async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
  await page
    .locator('[data-testid="message"].role-user:not([data-pending])', { hasText: text })
    .waitFor({ timeout: WAIT });
}

/** The newest assistant reply in the channel's own list. */
const lastReply = (page: Page) => page.locator('.conversation [data-testid="message"].role-assistant').last();
/** Waits until the newest reply has finished (older ones in the channel may have long ago). */
const replyComplete = (page: Page) =>
  expect.poll(() => lastReply(page).getAttribute('data-status'), { timeout: WAIT }).toBe('complete');
const card = (scope: Page | Locator, tool: string, state?: string) =>
  scope.locator(`[data-testid="tool-call"][data-tool="${tool}"]${state ? `[data-state="${state}"]` : ''}`);

describe('the tool loop in a real browser', () => {
  it('a tool call waits for the asker: Approve runs it (the task is on the dashboard), Deny with a reason does not', async () => {
    const ada = await signUp('ada');
    const bob = await signUp('bob');

    await send(ada, '@assistant create a task "Ship the release notes" for worker');
    const waiting = card(ada, 'create_task', 'awaiting-approval');
    await waiting.waitFor({ timeout: WAIT });
    expect(await waiting.getByTestId('tool-call-state').textContent()).toBe('Waiting for approval');
    expect(await waiting.getByTestId('tool-call-args').textContent()).toContain('title: "Ship the release notes"');
    // The words said before the call stand above it; the status line says what the agent waits for.
    expect(await lastReply(ada).getByTestId('message-content').textContent()).toContain('Ship the release notes');
    await ada
      .locator('[data-testid="typing-indicator"]', { hasText: '@assistant is waiting for approval' })
      .waitFor({ timeout: WAIT });

    // Someone else sees the card, not the buttons.
    const watched = card(bob, 'create_task', 'awaiting-approval');
    await watched.getByTestId('tool-call-waiting').waitFor({ timeout: WAIT });
    expect(await watched.getByTestId('tool-call-approve').count()).toBe(0);

    mkdirSync(outDir, { recursive: true });
    await ada.screenshot({ path: join(outDir, 'tool-call-awaiting.png') });
    await waiting.getByTestId('tool-call-approve').click();
    const done = card(ada, 'create_task', 'done');
    await done.waitFor({ timeout: WAIT });
    expect(await done.getByTestId('tool-call-decision').textContent()).toBe('Approved by ada');
    await replyComplete(ada);
    // The reply goes on after the card with what the tool did.
    const parts = lastReply(ada).getByTestId('assistant-parts');
    expect(await parts.textContent()).toMatch(/Done: the task “Ship the release notes” is queued/);
    await card(bob, 'create_task', 'done').waitFor({ timeout: WAIT });

    await ada.getByTestId('nav-tasks').click();
    await ada.locator('[data-testid="task-row"]', { hasText: 'Ship the release notes' }).waitFor({ timeout: WAIT });

    // Asked while she is on the Tasks page (through her session, from another client): a notice leads to the call.
    const { api } = suite.server.client(await sessionToken(ada));
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    await api.message.send.mutate({ channelId: general.id, content: '@assistant create a task "Delete the archive"' });
    const notice = ada.locator('[data-testid="toast"]', {
      hasText: '@assistant waits for your approval to run create_task',
    });
    await notice.locator('a').click();
    await ada.waitForURL(/#\/c\/general\/m\//, { timeout: WAIT });
    const second = card(ada, 'create_task', 'awaiting-approval');
    await second.waitFor({ timeout: WAIT });
    // The link is the reply's permalink: the card waiting there is in the message it opened at.
    const linked = decodeURIComponent(new URL(ada.url()).hash.split('/m/')[1] ?? '');
    expect(await second.locator('xpath=ancestor::li[@data-testid="message"]').getAttribute('data-message-id')).toBe(
      linked,
    );

    // Deny from the keyboard, with a reason: the call never runs and the reply says so.
    await second.getByTestId('tool-call-deny').focus();
    await ada.keyboard.press('Enter');
    const reason = second.getByTestId('tool-call-reason');
    await reason.waitFor({ timeout: WAIT });
    // Escape goes back to the buttons, with focus on Deny; Enter on it again, a reason, Enter.
    await reason.press('Escape');
    const deny = second.getByTestId('tool-call-deny');
    expect(await deny.evaluate((el) => el === document.activeElement)).toBe(true);
    await ada.keyboard.press('Enter');
    await second.getByTestId('tool-call-reason').fill('not this week');
    await second.getByTestId('tool-call-reason').press('Enter');
    const denied = card(ada, 'create_task', 'denied');
    await denied.waitFor({ timeout: WAIT });
    expect(await denied.getByTestId('tool-call-decision').textContent()).toBe('Denied by ada: not this week');
    await replyComplete(ada);
    expect(await lastReply(ada).getByTestId('assistant-parts').textContent()).toContain('it was denied');

    // Stop while a call waits: the reply ends there and the call never runs.
    await send(ada, '@assistant create a task "Rename the repository"');
    const third = card(ada, 'create_task', 'awaiting-approval');
    await third.waitFor({ timeout: WAIT });
    await lastReply(ada).getByTestId('assistant-stop').click();
    await expect.poll(() => lastReply(ada).getAttribute('data-status'), { timeout: WAIT }).toBe('cancelled');
    const stopped = lastReply(ada).getByTestId('tool-call');
    expect(await stopped.getAttribute('data-state')).toBe('denied');
    expect(await stopped.getByTestId('tool-call-decision').textContent()).toMatch(/^Denied by ada/);
    expect(await stopped.getByTestId('tool-call-decide').count()).toBe(0);

    expect(pageErrors).toEqual([]);
    await ada.context().close();
    await bob.context().close();
  });

  it('a plan shows in the Plan panel live; a ticked step stays ticked after a reload', async () => {
    const grace = await signUp('grace');
    await grace.getByTestId('toggle-todos').click();
    const panel = grace.getByTestId('todo-panel');
    expect(await panel.getByTestId('todo-empty').textContent()).toContain('@assistant plan: first; second');

    await send(grace, '@assistant plan: write draft; review; publish');
    // Keeping the plan asks nobody (update_todos is "auto" unless an admin says otherwise).
    const done = card(grace, 'update_todos', 'done');
    const items = panel.getByTestId('todo-item');
    await expect.poll(() => items.allTextContents(), { timeout: WAIT }).toEqual(['write draft', 'review', 'publish']);
    expect(await grace.getByTestId('todo-count').textContent()).toBe('3');
    await done.waitFor({ timeout: WAIT });

    await grace.screenshot({ path: join(outDir, 'todo-panel.png') });
    await items.nth(1).getByTestId('todo-check').check();
    await panel.locator('[data-testid="todo-item"][data-status="done"]', { hasText: 'review' }).waitFor({
      timeout: WAIT,
    });
    await grace.locator('[data-testid="todo-count"]', { hasText: '2' }).waitFor({ timeout: WAIT });

    await grace.reload();
    await grace.getByTestId('toggle-todos').click();
    const review = grace.locator('[data-testid="todo-panel"] [data-testid="todo-item"]', { hasText: 'review' });
    await review.waitFor({ timeout: WAIT });
    expect(await review.getAttribute('data-status')).toBe('done');
    expect(await review.getByTestId('todo-check').isChecked()).toBe(true);
    expect(await grace.getByTestId('todo-count').textContent()).toBe('2');

    expect(pageErrors).toEqual([]);
    await grace.context().close();
  });

  it('find: a search_messages card, done, and the answer quotes what was said', async () => {
    const hopper = await signUp('hopper');
    await send(hopper, 'The launch codeword is periwinkle');
    await send(hopper, '@assistant find periwinkle');
    const done = card(hopper, 'search_messages', 'done');
    await done.waitFor({ timeout: WAIT });
    expect(await done.getByTestId('tool-call-args').textContent()).toContain('query: "periwinkle"');
    await replyComplete(hopper);
    const answer = (await lastReply(hopper).getByTestId('assistant-parts').textContent()) ?? '';
    expect(answer).toContain('The launch codeword is periwinkle');
    // The result unfolds from its one line.
    await done.getByTestId('tool-call-result').locator('summary').click();
    await done.locator('[data-testid="tool-call-result"][open]').waitFor({ timeout: WAIT });
    await hopper.screenshot({ path: join(outDir, 'tool-call-search.png') });

    expect(pageErrors).toEqual([]);
    await hopper.context().close();
  });
});
