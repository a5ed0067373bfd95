import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

const signUp = (handle: string) => suite.signUp(handle);

const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });
const chip = (page: Page, text: string, emoji: string) =>
  confirmed(page, text).locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`);

/** Waits until the message's chip for `emoji` shows `count` (pressed or not); 0: the chip is gone. */
async function chipCount(page: Page, text: string, emoji: string, count: number) {
  const target = chip(page, text, emoji);
  if (count === 0) {
    await target.waitFor({ state: 'detached', timeout: WAIT });
    return;
  }
  await target
    .filter({ has: page.locator('[data-testid="reaction-count"]', { hasText: new RegExp(`^${count}$`) }) })
    .waitFor({ timeout: WAIT });
}

describe('reactions in a real browser', () => {
  it('Ada reacts with the picker; Bob sees it live, adds his, takes it back', async () => {
    const ada = await signUp('ada');
    const bob = await signUp('bob');
    for (const page of [ada, bob]) {
      await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
    }

    const composer = ada.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('Shipping on Friday');
    await composer.press('Enter');
    await confirmed(bob, 'Shipping on Friday').waitFor({ timeout: WAIT });

    // Ada opens the picker, searches, picks with the keyboard.
    const message = confirmed(ada, 'Shipping on Friday');
    await message.hover();
    await message.getByTestId('reaction-add').click();
    const search = ada.getByTestId('emoji-search');
    await search.fill('rocket');
    expect(await ada.getByTestId('emoji-option').allTextContents()).toEqual(['🚀']);
    await search.press('ArrowDown');
    await ada.keyboard.press('Enter');
    await ada.getByTestId('emoji-picker').waitFor({ state: 'detached', timeout: WAIT });

    // Both see one 🚀: pressed for Ada (hers), not for Bob.
    await chipCount(ada, 'Shipping on Friday', '🚀', 1);
    await chipCount(bob, 'Shipping on Friday', '🚀', 1);
    expect(await chip(ada, 'Shipping on Friday', '🚀').getAttribute('aria-pressed')).toBe('true');
    expect(await chip(bob, 'Shipping on Friday', '🚀').getAttribute('aria-pressed')).toBe('false');
    // Who, on hover (names come with the channel's members).
    await bob.locator('[data-testid="reaction-chip"][title="ada reacted with 🚀"]').waitFor({ timeout: WAIT });

    // Bob adds his by clicking the chip: 2 for both.
    await chip(bob, 'Shipping on Friday', '🚀').click();
    await chipCount(ada, 'Shipping on Friday', '🚀', 2);
    await chipCount(bob, 'Shipping on Friday', '🚀', 2);
    await bob.locator('[data-testid="reaction-chip"][aria-pressed="true"]').waitFor({ timeout: WAIT });

    // And takes it back: 1 again for both.
    await chip(bob, 'Shipping on Friday', '🚀').click();
    await chipCount(bob, 'Shipping on Friday', '🚀', 1);
    await chipCount(ada, 'Shipping on Friday', '🚀', 1);
    expect(await chip(bob, 'Shipping on Friday', '🚀').getAttribute('aria-pressed')).toBe('false');

    // Ada's pick is first among her recents the next time she opens the picker.
    await message.hover();
    await message.getByTestId('reaction-add').click();
    expect(await ada.getByTestId('emoji-option').first().textContent()).toBe('🚀');
    await ada.keyboard.press('Escape');
    await ada.getByTestId('emoji-picker').waitFor({ state: 'detached', timeout: WAIT });

    // A reload reads them back from history.
    await bob.reload();
    await chipCount(bob, 'Shipping on Friday', '🚀', 1);
    expect(pageErrors).toEqual([]);
  });
});
