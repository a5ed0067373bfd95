import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

const signUp = (handle: string) => suite.signUp(handle);

/** Another tab of the same person: same browser context, signed in again from its refresh cookie. */
async function secondTab(page: Page): Promise<Page> {
  const tab = await page.context().newPage();
  tab.on('pageerror', (error) => pageErrors.push(`second tab: ${error.message}`));
  await tab.goto(suite.server.url);
  await tab.getByTestId('composer').waitFor({ timeout: WAIT });
  return tab;
}

const general = (page: Page) => page.locator('[data-testid="channel-item"][data-slug="general"]');
const badgeOf = (page: Page, testId: 'unread-count' | 'mention-count') => general(page).getByTestId(testId);

async function send(page: Page, text: string) {
  const composer = page.getByTestId('composer');
  await composer.click();
  await composer.fill(text);
  await composer.press('Enter');
  await page.locator('[data-testid="message"]:not([data-pending])', { hasText: text }).waitFor({ timeout: WAIT });
}

describe('mentions, unread counts and read positions in a real browser', () => {
  it('a mention completes, counts in both tabs of the person named, tells them, and reading it clears both', async () => {
    const ada = await signUp('ada');
    const bob = await signUp('bob');
    const bobTab2 = await secondTab(bob);
    // Both of Bob's tabs look elsewhere: the Tasks page.
    for (const tab of [bob, bobTab2]) {
      await tab.getByTestId('nav-tasks').click();
      await tab.getByTestId('tasks-page').waitFor({ timeout: WAIT });
    }

    // Ada types "@bo": the composer offers Bob; Tab completes it.
    const composer = ada.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('hey @bo');
    await ada.getByTestId('mention-option').filter({ hasText: 'bob' }).first().waitFor({ timeout: WAIT });
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe('hey @bob ');
    await composer.pressSequentially('can you look?');
    await composer.press('Enter');
    const mention = ada.locator('[data-testid="message"]:not([data-pending])', { hasText: 'can you look?' });
    await mention.waitFor({ timeout: WAIT });
    expect(await mention.locator('.mention').first().textContent()).toBe('@bob');

    // Both tabs count it, as a mention too, and say so.
    for (const tab of [bob, bobTab2]) {
      await badgeOf(tab, 'unread-count').filter({ hasText: '1' }).waitFor({ timeout: WAIT });
      await badgeOf(tab, 'mention-count').filter({ hasText: '@1' }).waitFor({ timeout: WAIT });
      await tab.getByTestId('toast').filter({ hasText: 'ada mentioned you in #general' }).waitFor({ timeout: WAIT });
    }
    expect(await bob.title()).toMatch(/^\(1\) /);

    // Reading it in one tab clears the other: the read position is the server's.
    await general(bob).click();
    await bob.locator('[data-testid="message"]', { hasText: 'can you look?' }).waitFor({ timeout: WAIT });
    await badgeOf(bobTab2, 'mention-count').waitFor({ state: 'detached', timeout: WAIT });
    await badgeOf(bobTab2, 'unread-count').waitFor({ state: 'detached', timeout: WAIT });
    expect(await badgeOf(bob, 'unread-count').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    for (const page of [ada, bob, bobTab2]) await page.close();
  });

  it('after a reload, "New messages" marks where you left off', async () => {
    const cy = await signUp('cy');
    const dee = await signUp('dee');
    await send(cy, 'read before');
    await dee.locator('[data-testid="message"]', { hasText: 'read before' }).waitFor({ timeout: WAIT });
    await dee.getByTestId('nav-tasks').click();
    await dee.getByTestId('tasks-page').waitFor({ timeout: WAIT });
    await send(cy, 'first unread');
    await send(cy, 'second unread');
    await badgeOf(dee, 'unread-count').filter({ hasText: '2' }).waitFor({ timeout: WAIT });

    await dee.reload();
    await badgeOf(dee, 'unread-count').filter({ hasText: '2' }).waitFor({ timeout: WAIT });
    await general(dee).click();
    const divider = dee.getByTestId('new-messages-divider');
    await divider.waitFor({ timeout: WAIT });
    // The divider sits right above the first unread message.
    const next = await divider.evaluate((el) => el.nextElementSibling?.textContent ?? '');
    expect(next).toContain('first unread');
    const before = await divider.evaluate((el) => el.previousElementSibling?.textContent ?? '');
    expect(before).toContain('read before');
    await badgeOf(dee, 'unread-count').waitFor({ state: 'detached', timeout: WAIT });
    expect(pageErrors).toEqual([]);
    await cy.close();
    await dee.close();
  });
});
