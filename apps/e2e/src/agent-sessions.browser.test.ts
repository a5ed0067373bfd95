import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

// A slow offline model (3 tokens every 150 ms) so the reply is seen streaming before it completes.
const suite = useBrowserSuite({ assistant: { offlineTokenIntervalMs: 150 } });
const { pageErrors } = suite;

async function signUp(handle: string): Promise<Page> {
  const page = await suite.signUp(handle);
  await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
  return page;
}

const session = (page: Page, name: string) => page.locator(`[data-testid="agent-session"][data-name="${name}"]`);
const openSession = (page: Page) => page.locator('[data-testid="agent-session"]:has(a[aria-current="page"])');

/** New conversation from the sidebar: @assistant is offered first; Enter in the name field starts it, and it opens. */
async function startSession(page: Page, name: string): Promise<string> {
  const before = await page.getByTestId('agent-session').count();
  await page.getByTestId('new-session-button').click();
  const dialog = page.getByTestId('new-session-dialog');
  await dialog.locator('option', { hasText: '@assistant' }).first().waitFor({ state: 'attached', timeout: WAIT });
  expect(await dialog.locator('option').first().textContent()).toContain('@assistant');
  await dialog.getByTestId('new-session-name').fill(name);
  await dialog.getByTestId('new-session-name').press('Enter');
  await dialog.waitFor({ state: 'hidden', timeout: WAIT });
  await page.getByTestId('agent-session').nth(before).waitFor({ timeout: WAIT });
  await openSession(page).waitFor({ timeout: WAIT });
  const slug = await openSession(page).getAttribute('data-slug');
  if (!slug) throw new Error('the new conversation did not open');
  return slug;
}

/** The first account (the admin): signed in again if the first test made it, made here otherwise. */
async function adminClient() {
  const password = 'correct horse battery';
  const anonymous = suite.server.client().api;
  const grant = await anonymous.auth.login
    .mutate({ handle: 'ada', password })
    .catch(() => suite.server.signup('ada', password));
  expect(grant.user.role).toBe('admin');
  return suite.server.client(grant.token);
}

describe('conversations with agents in a real browser', () => {
  it('a member starts two conversations with @assistant, talks in one, renames it and archives the other', async () => {
    // The first account is the admin; the member is the second.
    const ada = await signUp('ada');
    const bob = await signUp('bob');

    // Nothing yet: the empty state is the way in.
    const empty = bob.getByTestId('sessions-empty');
    await empty.waitFor({ timeout: WAIT });
    expect(await empty.textContent()).toBe('Start a conversation with @assistant');

    // Two conversations, each new (the same agent gives a new one each time); the second opens at once.
    const first = await startSession(bob, '');
    const second = await startSession(bob, 'Scratch');
    expect(second).not.toBe(first);
    expect(await openSession(bob).getAttribute('data-name')).toBe('Scratch');
    expect(await session(bob, 'New conversation').getAttribute('data-slug')).toBe(first);
    // They are sessions, not direct messages with a person.
    expect(await bob.locator('[data-testid="direct-item"]').count()).toBe(0);
    expect(await bob.getByTestId('sessions-empty').count()).toBe(0);

    // In the first one, a message without a mention is answered; the reply streams, then completes.
    await session(bob, 'New conversation').locator('a').click();
    await bob.locator(`[data-testid="agent-session"][data-slug="${first}"] a[aria-current="page"]`).waitFor({
      timeout: WAIT,
    });
    const composer = bob.getByTestId('composer');
    await composer.fill('What should the release notes say?');
    await composer.press('Enter');
    await bob.locator('[data-testid="message"].role-assistant[data-status="streaming"]').waitFor({ timeout: WAIT });
    const reply = bob.locator('[data-testid="message"].role-assistant[data-status="complete"]');
    await reply.waitFor({ timeout: 30_000 });
    expect(((await reply.getByTestId('message-content').textContent()) ?? '').length).toBeGreaterThan(0);

    // Rename it from its menu: the sidebar shows the new name.
    const firstItem = bob.locator(`[data-testid="agent-session"][data-slug="${first}"]`);
    await firstItem.hover();
    await firstItem.getByTestId('session-menu-button').click();
    await firstItem.getByTestId('session-rename').click();
    const input = firstItem.getByTestId('session-rename-input');
    await input.fill('Release notes');
    await input.press('Enter');
    await session(bob, 'Release notes').waitFor({ timeout: WAIT });
    expect(await session(bob, 'Release notes').getAttribute('data-slug')).toBe(first);
    // The open conversation's header says so too, and with whom.
    await bob.getByTestId('channel-title').filter({ hasText: 'Release notes' }).waitFor({ timeout: WAIT });
    expect(await bob.locator('.channel-topic').textContent()).toContain('Your conversation with Assistant');

    // Archive the other: it leaves the list, and waits under the Archived fold.
    const secondItem = bob.locator(`[data-testid="agent-session"][data-slug="${second}"]`);
    await secondItem.hover();
    await secondItem.getByTestId('session-menu-button').click();
    await secondItem.getByTestId('session-archive').click();
    await secondItem.waitFor({ state: 'detached', timeout: WAIT });
    expect(await bob.getByTestId('agent-session').count()).toBe(1);
    const fold = bob.getByTestId('sessions-archived-toggle');
    expect(await fold.textContent()).toContain('Archived (1)');
    await fold.click();
    await secondItem.waitFor({ timeout: WAIT });

    // The names survive a reload (they are the server's).
    await bob.reload();
    await session(bob, 'Release notes').waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('agent-session').count()).toBe(1);

    expect(pageErrors).toEqual([]);
    await ada.context().close();
    await bob.context().close();
  });

  it('the Tasks page shows a worker online once its key is used, with the task it runs', async () => {
    const adaClient = await adminClient();
    const cy = await signUp('cy');
    await cy.getByTestId('nav-tasks').click();
    const panel = cy.getByTestId('workers-panel');
    // No key yet: the panel says how to get a worker.
    await panel.getByTestId('workers-empty').waitFor({ timeout: WAIT });
    expect(await panel.getByTestId('workers-empty').textContent()).toContain('pnpm demo');

    // A key for the agent "builder", minted by the admin, then used once (a claim): the worker is seen.
    const { key } = await adaClient.api.apiKey.create.mutate({ name: 'builder', role: 'agent' });
    await adaClient.api.task.create.mutate({ title: 'Compile the changelog', agent: 'builder' });
    const worker = suite.server.client(key).api;
    const task = await worker.task.claim.mutate({ agent: 'builder' });
    expect(task?.title).toBe('Compile the changelog');
    await worker.task.progress.mutate({ id: task?.id ?? '', current: 1, total: 3, step: 'reading commits' });

    // The page rereads the workers when the stream changes the list (the claim), well before its 15 s.
    const row = panel.locator('[data-testid="worker-row"][data-name="builder"][data-online="true"]');
    await row.waitFor({ timeout: WAIT });
    expect(await row.getByTestId('worker-state').textContent()).toBe('online');
    await row.getByTestId('worker-task').filter({ hasText: 'reading commits' }).waitFor({ timeout: WAIT });
    expect(await row.getByTestId('worker-task').textContent()).toContain('Compile the changelog');
    expect(await row.getByTestId('worker-task').textContent()).toContain('1/3');

    expect(pageErrors).toEqual([]);
    await cy.context().close();
  });
});
