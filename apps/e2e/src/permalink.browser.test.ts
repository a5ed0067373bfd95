import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sessionToken, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** A confirmed message whose text is exactly `text`. */
const confirmed = (page: Page, text: string) =>
  page
    .locator('[data-testid="message"]:not([data-pending])')
    .filter({ has: page.locator('[data-testid="message-content"]', { hasText: new RegExp(`^${text}$`) }) });

/** Scrolls the list to an edge until `done`, waiting each time for the page that the scroll loads. */
async function scrollUntil(page: Page, edge: 'top' | 'bottom', done: () => Promise<boolean>) {
  const scroller = page.getByTestId('message-scroller');
  for (let i = 0; i < 10 && !(await done()); i++) {
    const count = await page.getByTestId('message').count();
    await scroller.evaluate((el, to) => el.scrollTo({ top: to === 'top' ? 0 : el.scrollHeight }), edge);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="message"]').length > n, count, {
      timeout: WAIT,
    });
  }
}

/** Whether the element's box is inside the message scroller's visible part. */
const inView = (page: Page, messageId: string) =>
  page.evaluate((id) => {
    const scroller = document.querySelector('[data-testid="message-scroller"]');
    const item = document.querySelector(`[data-message-id="${id}"]`);
    if (!scroller || !item) return false;
    const view = scroller.getBoundingClientRect();
    const box = item.getBoundingClientRect();
    return box.top >= view.top && box.bottom <= view.bottom;
  }, messageId);

describe('permalinks in a real browser', () => {
  it('Copy link gives an address that opens an old message in place, highlighted, and the list pages both ways', async () => {
    const origin = suite.server.url;
    const grant = {
      prepare: (context: import('playwright-core').BrowserContext) =>
        context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin }),
    };
    const ada = await suite.signUp('ada', grant);
    const bob = await suite.signUp('bob', grant);
    const api = suite.server.client(await sessionToken(ada)).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');

    // 130 messages: the old one is far outside the newest page (50) and the window around it (50).
    const sent: { id: string; content: string }[] = [];
    for (let i = 1; i <= 130; i++) {
      sent.push(await api.message.send.mutate({ channelId: general.id, content: `Line ${i}` }));
    }
    const old = sent[29];
    if (!old) throw new Error('not sent');
    await confirmed(ada, 'Line 130').waitFor({ timeout: WAIT });

    // Ada copies the link of her newest message from its actions.
    const newest = confirmed(ada, 'Line 130');
    await newest.hover();
    await newest.getByTestId('message-copy-link').click();
    await newest.locator('[data-testid="message-copy-link"][data-state="copied"]').waitFor({ timeout: WAIT });
    const copied = await ada.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(`${origin}/#/c/general/m/${sent[129]?.id}`);

    // Bob opens the old message's permalink in a new tab: it is loaded, in view and highlighted.
    const link = copied.replace(sent[129]?.id ?? '', old.id);
    const page = await bob.context().newPage();
    page.on('pageerror', (error) => pageErrors.push(`bob's second tab: ${error.message}`));
    await page.goto(link);
    const target = page.locator(`[data-message-id="${old.id}"][data-highlighted="true"]`);
    await target.waitFor({ timeout: WAIT });
    expect(await target.textContent()).toContain('Line 30');
    expect(await inView(page, old.id)).toBe(true);
    // A window, not the newest page: the newest message is not loaded, and Jump to latest is offered.
    expect(await page.locator(`[data-message-id="${sent[129]?.id}"]`).count()).toBe(0);
    await page.getByTestId('jump-to-latest').waitFor({ timeout: WAIT });

    // Scrolling up pages older messages in, down to the first.
    await scrollUntil(page, 'top', async () => (await confirmed(page, 'Line 1').count()) > 0);
    await confirmed(page, 'Line 1').waitFor({ timeout: WAIT });
    await page.getByText('This is the beginning of #general.').waitFor({ timeout: WAIT });

    // Scrolling down pages newer ones until the newest; then the live stream carries on.
    await scrollUntil(page, 'bottom', async () => (await confirmed(page, 'Line 130').count()) > 0);
    await confirmed(page, 'Line 130').waitFor({ timeout: WAIT });
    await page.getByTestId('jump-to-latest').waitFor({ state: 'detached', timeout: WAIT });
    await api.message.send.mutate({ channelId: general.id, content: 'Line 131, live' });
    await confirmed(page, 'Line 131, live').waitFor({ timeout: WAIT });
    // Every message once, in order.
    const lines = await page.getByTestId('message-content').allTextContents();
    expect(lines).toEqual([...sent.map((m) => m.content), 'Line 131, live']);

    // A permalink Bob may not read says so, and the channel still opens.
    const secret = await api.channel.create.mutate({ slug: 'secret', name: 'Secret', visibility: 'private' });
    const hidden = await api.message.send.mutate({ channelId: secret.id, content: 'the plan' });
    await bob.goto(`${origin}/#/c/general/m/${hidden.id}`);
    await bob.getByTestId('permalink-error').waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('permalink-error').textContent()).toContain('not here');
    await confirmed(bob, 'Line 131, live').waitFor({ timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });

  it('opens at the first unread when it is older than the newest page; Jump to latest goes back to the live end', async () => {
    const cy = await suite.signUp('cy');
    const dee = await suite.signUp('dee');
    const api = suite.server.client(await sessionToken(cy)).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    await api.message.send.mutate({ channelId: general.id, content: 'Read before' });
    await confirmed(dee, 'Read before').waitFor({ timeout: WAIT });
    await dee.getByTestId('nav-tasks').click();
    await dee.getByTestId('tasks-page').waitFor({ timeout: WAIT });
    // 80 unread: the newest page (50) does not reach the first of them.
    for (let i = 1; i <= 80; i++) await api.message.send.mutate({ channelId: general.id, content: `Unread ${i}` });

    await dee.reload();
    await dee.locator('[data-testid="channel-item"][data-slug="general"]').click();
    const divider = dee.getByTestId('new-messages-divider');
    await divider.waitFor({ timeout: WAIT });
    expect(await divider.evaluate((el) => el.nextElementSibling?.textContent ?? '')).toContain('Unread 1');
    expect(
      await divider.evaluate((el) => {
        const view = document.querySelector('[data-testid="message-scroller"]')?.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        return Boolean(view && box.top >= view.top && box.bottom <= view.bottom);
      }),
    ).toBe(true);
    // A window: the newest is not loaded; Jump to latest goes there (scrolling down pages there too: see above).
    expect(await confirmed(dee, 'Unread 80').count()).toBe(0);
    await dee.getByTestId('jump-to-latest').click();
    await confirmed(dee, 'Unread 80').waitFor({ timeout: WAIT });
    await dee.getByTestId('jump-to-latest').waitFor({ state: 'detached', timeout: WAIT });
    await api.message.send.mutate({ channelId: general.id, content: 'After the jump' });
    await confirmed(dee, 'After the jump').waitFor({ timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });
});
