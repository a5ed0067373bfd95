import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sessionToken, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** Opens the palette with the shortcut and types `text`. */
async function search(page: Page, text: string) {
  // Keys go to the window in front (each person has one).
  await page.bringToFront();
  const input = page.getByTestId('search-input');
  // Pressed again when the first press did not open it (it can land while the page still moves focus after
  // a navigation), as a person would; the palette must open within the wait all the same.
  const deadline = Date.now() + WAIT;
  for (;;) {
    await page.keyboard.press('Control+k');
    try {
      await input.waitFor({ timeout: Math.min(2_000, deadline - Date.now()) });
      break;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
  }
  await input.fill(text);
  return input;
}

const hits = (page: Page) => page.locator('[data-testid="search-option"][data-kind="message"]');

describe('search in a real browser', () => {
  it('Bob finds an old message and opens it in context; a private channel he is not in is never found', async () => {
    const ada = await suite.signUp('ada');
    const bob = await suite.signUp('bob');
    const api = suite.server.client(await sessionToken(ada)).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');

    // An old message, far outside the newest page, then many newer ones.
    const old = await api.message.send.mutate({
      channelId: general.id,
      content: 'Deploy the pelican service on Monday',
    });
    for (let i = 1; i <= 70; i++) await api.message.send.mutate({ channelId: general.id, content: `Update ${i}` });
    const secret = await api.channel.create.mutate({ slug: 'vault', name: 'Vault', visibility: 'private' });
    const hidden = await api.message.send.mutate({ channelId: secret.id, content: 'The quokka plan is ready' });

    // Bob: the empty palette says what to do; the hit says where, who and when, with the match marked.
    await bob.getByTestId('search-box').click();
    expect(await bob.getByTestId('search-empty').textContent()).toContain('Type to find messages');
    await bob.keyboard.press('Escape');
    await bob.getByTestId('search-input').waitFor({ state: 'detached', timeout: WAIT });
    await search(bob, 'pelican');
    await hits(bob).first().waitFor({ timeout: WAIT });
    expect(await hits(bob).count()).toBe(1);
    const hit = hits(bob).first();
    expect(await hit.getByTestId('search-hit-channel').textContent()).toBe('#general');
    expect(await hit.getByTestId('search-hit-author').textContent()).toBe('ada');
    expect(await hit.locator('time').getAttribute('datetime')).toBe(old.createdAt);
    expect(await hit.locator('mark').allTextContents()).toEqual(['pelican']);

    // Enter opens it where it was written: the palette closes, the message is loaded, marked and in view.
    await bob.keyboard.press('Enter');
    await bob.getByTestId('search-input').waitFor({ state: 'detached', timeout: WAIT });
    await bob.locator(`[data-message-id="${old.id}"][data-highlighted="true"]`).waitFor({ timeout: WAIT });
    expect(bob.url()).toContain(`#/c/general/m/${old.id}`);
    expect(
      await bob.evaluate((id) => {
        const view = document.querySelector('[data-testid="message-scroller"]')?.getBoundingClientRect();
        const box = document.querySelector(`[data-message-id="${id}"]`)?.getBoundingClientRect();
        return Boolean(view && box && box.top >= view.top && box.bottom <= view.bottom);
      }, old.id),
    ).toBe(true);

    // The private channel's message: Bob is told nothing matches; Ada, a member, finds it and the channel.
    await search(bob, 'quokka');
    await bob.getByTestId('search-empty').filter({ hasText: 'Nothing matches' }).waitFor({ timeout: WAIT });
    expect(await hits(bob).count()).toBe(0);
    await bob.keyboard.press('Escape');

    await search(ada, 'quokka');
    await hits(ada).first().waitFor({ timeout: WAIT });
    expect(await hits(ada).getByTestId('search-hit-channel').allTextContents()).toEqual(['#vault']);
    await ada.keyboard.press('Escape');
    await search(ada, 'vau');
    await ada.locator('[data-testid="search-option"][data-kind="channel"]', { hasText: '#vault' }).waitFor({
      timeout: WAIT,
    });
    await ada.keyboard.press('Escape');
    await search(ada, 'quokka');
    await hits(ada).first().click();
    await ada.locator(`[data-message-id="${hidden.id}"][data-highlighted="true"]`).waitFor({ timeout: WAIT });
    expect(ada.url()).toContain(`#/c/vault/m/${hidden.id}`);
    expect(pageErrors).toEqual([]);
  });
});
