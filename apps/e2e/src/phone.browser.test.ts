import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { outDir, sessionToken, signUpThroughUi, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;
const PHONE = { width: 390, height: 844 };

const suite = useBrowserSuite();
const { pageErrors } = suite;

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Channels and pages' });
const menuButton = (page: Page) => page.getByTestId('menu-button');
const channelItem = (page: Page, slug: string) => page.locator(`[data-testid="channel-item"][data-slug="${slug}"]`);

/** Signs up on the phone: the sidebar (where signUpThroughUi looks) is a closed drawer here, so wait for the composer. */
async function signUpOnPhone(handle: string): Promise<Page> {
  const page = await suite.newPage(handle, { viewport: PHONE });
  await page.goto(suite.server.url);
  await page.getByTestId('auth-mode-signup').click();
  await page.getByTestId('auth-handle').fill(handle);
  await page.getByTestId('auth-password').fill('correct horse battery');
  await page.getByTestId('auth-submit').click();
  await page.getByRole('heading', { name: 'general' }).waitFor({ timeout: WAIT });
  await page.getByTestId('composer').waitFor({ timeout: WAIT });
  return page;
}

async function openDrawer(page: Page) {
  await menuButton(page).click();
  await channelItem(page, 'general').waitFor({ timeout: WAIT });
  expect(await menuButton(page).getAttribute('aria-expanded')).toBe('true');
}

describe('on a phone (390×844)', () => {
  it('the sidebar is a drawer: the menu opens it; Escape, a tap outside or choosing a channel closes it; messages go out', async () => {
    const page = await signUpOnPhone('phoebe');
    await suite.server.client(await sessionToken(page)).api.channel.create.mutate({ slug: 'pocket', name: 'Pocket' });
    await page.reload();
    await page.getByTestId('composer').waitFor({ timeout: WAIT });

    // The conversation has the whole width; the sidebar is out of sight (and out of reach of focus).
    expect(await sidebar(page).isVisible()).toBe(false);
    expect(await menuButton(page).isVisible()).toBe(true);
    const scroller = await page.getByTestId('message-scroller').boundingBox();
    expect(scroller?.x).toBe(0);
    expect(scroller?.width).toBe(PHONE.width);
    const composerBox = await page.getByTestId('composer').boundingBox();
    expect((composerBox?.y ?? 0) + (composerBox?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);

    await openDrawer(page);
    // The open drawer has the focus, and the page behind it is out of reach.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-slug'))).toBe('general');
    expect(await page.getByTestId('composer').evaluate((el) => el.closest('[inert]') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await sidebar(page).waitFor({ state: 'hidden', timeout: WAIT });
    expect(await menuButton(page).getAttribute('aria-expanded')).toBe('false');
    // Escape gives focus back to the menu button.
    expect(await menuButton(page).evaluate((el) => el === document.activeElement)).toBe(true);

    await openDrawer(page);
    // A tap on the page beside the drawer.
    await page.getByTestId('drawer-backdrop').click({ position: { x: PHONE.width - 20, y: PHONE.height / 2 } });
    await sidebar(page).waitFor({ state: 'hidden', timeout: WAIT });

    await openDrawer(page);
    await channelItem(page, 'pocket').click();
    await page.getByRole('heading', { name: 'pocket' }).waitFor({ timeout: WAIT });
    await sidebar(page).waitFor({ state: 'hidden', timeout: WAIT });
    expect(await page.getByTestId('composer').evaluate((el) => el.closest('[inert]') !== null)).toBe(false);

    const composer = page.getByTestId('composer');
    await composer.fill('sent from a phone');
    await composer.press('Enter');
    await page.locator('[data-testid="message"]:not([data-pending])', { hasText: 'sent from a phone' }).waitFor({
      timeout: WAIT,
    });
    expect(await composer.inputValue()).toBe('');

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'phone.png') });
    await openDrawer(page);
    await page.screenshot({ path: join(outDir, 'phone-drawer.png'), animations: 'disabled' });
    expect(pageErrors).toEqual([]);
  });

  it('a desktop keeps the sidebar in place and shows no menu button', async () => {
    const page = await suite.newPage('dexter');
    await signUpThroughUi(page, suite.server.url, 'dexter', WAIT);
    expect(await sidebar(page).isVisible()).toBe(true);
    expect(await menuButton(page).isVisible()).toBe(false);
    const nav = await sidebar(page).boundingBox();
    expect(nav?.x).toBe(0);
    expect(nav?.width).toBe(264);
    expect(pageErrors).toEqual([]);
  });
});
