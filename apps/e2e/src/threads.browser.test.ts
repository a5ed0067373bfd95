import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;
const PHONE = { width: 390, height: 844 };

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** A stored message in the channel's own list (not the thread panel's). */
const inChannel = (page: Page, text: string) =>
  page.locator('.conversation [data-testid="message"]:not([data-pending])', { hasText: text });
const panel = (page: Page) => page.getByTestId('thread-panel');
const inPanel = (page: Page, text: string) =>
  panel(page).locator('[data-testid="thread-replies"] [data-testid="message"]', { hasText: text });

describe('threads in a real browser', () => {
  it('Bob replies in a thread; Ada sees the count go to 1 live, opens it, "Also send to channel" shows in the channel, and deleting the root keeps the replies', async () => {
    const ada = await suite.signUp('ada');
    const bob = await suite.signUp('bob');
    for (const page of [ada, bob]) {
      await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
    }

    const composer = ada.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('Release notes draft is up');
    await composer.press('Enter');
    const bobsView = inChannel(bob, 'Release notes draft is up');
    await bobsView.waitFor({ timeout: WAIT });

    // Bob opens the thread from the message's actions and replies with Enter.
    await bobsView.hover();
    await bobsView.getByTestId('reply-in-thread').click();
    const bobInput = panel(bob).getByTestId('thread-input');
    await bobInput.waitFor({ timeout: WAIT });
    expect(await bobInput.evaluate((el) => el === document.activeElement)).toBe(true);
    await bobInput.pressSequentially('Looks good, one typo in the intro');
    await bobInput.press('Enter');
    await inPanel(bob, 'Looks good, one typo in the intro').waitFor({ timeout: WAIT });

    // Ada sees the count go to 1 live under her message, with Bob among the repliers; the reply is not in the channel.
    const summary = inChannel(ada, 'Release notes draft is up').getByTestId('thread-summary');
    await summary
      .getByTestId('thread-count')
      .filter({ hasText: /^1 reply$/ })
      .waitFor({ timeout: WAIT });
    expect(await inChannel(ada, 'Looks good, one typo').count()).toBe(0);

    // She opens the panel and sees the reply there.
    await summary.click();
    await inPanel(ada, 'Looks good, one typo in the intro').waitFor({ timeout: WAIT });
    expect(await panel(ada).getByTestId('thread-reply-count').textContent()).toBe('1 reply');

    // Ada answers with "Also send to channel": it shows in the panels and in both channels, marked as a thread reply.
    await panel(ada).getByTestId('thread-also-in-channel').check();
    const adaInput = panel(ada).getByTestId('thread-input');
    await adaInput.pressSequentially('Fixed, thanks');
    await adaInput.press('Enter');
    await inPanel(bob, 'Fixed, thanks').waitFor({ timeout: WAIT });
    const shared = inChannel(bob, 'Fixed, thanks');
    await shared.waitFor({ timeout: WAIT });
    expect(await shared.getByTestId('replied-to-thread').textContent()).toBe(
      'replied to a thread: Release notes draft is up',
    );
    await inChannel(bob, 'Release notes draft is up')
      .getByTestId('thread-count')
      .filter({ hasText: /^2 replies$/ })
      .waitFor({ timeout: WAIT });

    // Escape closes the panel.
    await ada.keyboard.press('Escape');
    await panel(ada).waitFor({ state: 'detached', timeout: WAIT });

    // A reload reads it all back: the count from history, the shared reply in the channel.
    await ada.reload();
    await inChannel(ada, 'Release notes draft is up')
      .getByTestId('thread-count')
      .filter({ hasText: /^2 replies$/ })
      .waitFor({ timeout: WAIT });
    await inChannel(ada, 'Fixed, thanks').waitFor({ timeout: WAIT });
    expect(await inChannel(ada, 'Looks good, one typo').count()).toBe(0);

    // Ada deletes her root: the replies are Bob's words too, so it stays as their anchor, for both of them.
    const rootOf = (page: Page) =>
      inChannel(page, 'Release notes draft is up').filter({ hasNot: page.getByTestId('replied-to-thread') });
    const root = rootOf(ada);
    await root.hover();
    await root.getByTestId('message-delete').click();
    await root.getByRole('button', { name: 'Delete', exact: true }).click();
    for (const page of [ada, bob]) {
      const kept = page.locator('.conversation [data-testid="message"]', { has: page.getByTestId('message-deleted') });
      await kept
        .getByTestId('thread-count')
        .filter({ hasText: /^2 replies$/ })
        .waitFor({ timeout: WAIT });
      expect(await rootOf(page).count()).toBe(0);
    }
    await inChannel(bob, 'Fixed, thanks').waitFor({ timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });

  it('on a phone the panel takes the whole screen; Escape closes it, gives focus back and keeps the draft', async () => {
    const page = await suite.newPage('phil', { viewport: PHONE });
    await page.goto(suite.server.url);
    await page.getByTestId('auth-mode-signup').click();
    await page.getByTestId('auth-handle').fill('phil');
    await page.getByTestId('auth-password').fill('correct horse battery');
    await page.getByTestId('auth-submit').click();
    const composer = page.getByTestId('composer');
    await composer.waitFor({ timeout: WAIT });
    await composer.click();
    await composer.pressSequentially('Anyone up for lunch?');
    await composer.press('Enter');
    const message = inChannel(page, 'Anyone up for lunch?');
    await message.waitFor({ timeout: WAIT });

    await message.hover();
    const opener = message.getByTestId('reply-in-thread');
    await opener.click();
    await panel(page).getByTestId('thread-input').waitFor({ timeout: WAIT });
    expect(await panel(page).boundingBox()).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    await panel(page).locator('.thread-root', { hasText: 'Anyone up for lunch?' }).waitFor({ timeout: WAIT });

    await panel(page).getByTestId('thread-input').fill('Maybe at noon');

    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'detached', timeout: WAIT });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    // The reply typed and not sent is kept, like a channel's draft: opening the thread again shows it.
    await opener.click();
    expect(await panel(page).getByTestId('thread-input').inputValue()).toBe('Maybe at noon');
    expect(pageErrors).toEqual([]);
  });
});
