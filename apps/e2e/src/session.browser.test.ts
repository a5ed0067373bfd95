/**
 * Sign-in sessions in a real browser against a real server: short-lived
 * tokens renewed silently from the HttpOnly cookie, a send that outlives its
 * token, logout reaching the other tabs and browsers, readable auth errors.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpThroughUi, useBrowserSuite, useWebServer } from './browser-harness';

const WAIT = 20_000;
const PASSWORD = 'correct horse battery';

/** Tokens live an hour here, so "this token no longer works" means the session ended, not that it expired. */
const suite = useBrowserSuite({ limits: { loginAttemptsPerHandle: 3 } });
/** Tokens live 3 s here (the server rounds expiry down to the second: 2–3 s in practice). */
const shortTokenServer = useWebServer({ tokenTtlSeconds: 3 });
const { pageErrors } = suite;

/** What one page sends and opens, read off the wire. */
interface Wire {
  /** Every /trpc request: its procedure path(s) and the bearer token it carried (null: none). */
  calls: { path: string; token: string | null }[];
  /** Successful auth.refresh answers. */
  refreshes: number;
  socketsOpened: number;
  socketsClosed: number;
}

function watch(page: Page, name: string): Wire {
  const wire: Wire = { calls: [], refreshes: 0, socketsOpened: 0, socketsClosed: 0 };
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/trpc/')) return;
    const auth = request.headers().authorization;
    wire.calls.push({ path: url.pathname.slice('/trpc/'.length), token: auth?.replace(/^Bearer /, '') ?? null });
  });
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/trpc/auth.refresh' && response.ok()) wire.refreshes++;
  });
  page.on('websocket', (socket) => {
    wire.socketsOpened++;
    socket.on('close', () => wire.socketsClosed++);
  });
  return wire;
}

async function newTab(context: BrowserContext, name: string): Promise<{ page: Page; wire: Wire }> {
  const page = await context.newPage();
  return { page, wire: watch(page, name) };
}

function newBrowserContext(): Promise<BrowserContext> {
  return suite.browser.newContext({ viewport: { width: 1280, height: 800 } });
}

const inGeneral = (page: Page) =>
  page.locator('[data-testid="channel-item"][data-slug="general"][aria-current="page"]').waitFor({ timeout: WAIT });
const connected = (page: Page) =>
  page.locator('[data-testid="connection-badge"][data-status="connected"]').waitFor({ timeout: WAIT });
const loginScreen = (page: Page) => page.getByTestId('auth-form').waitFor({ timeout: WAIT });
const notice = (page: Page) => page.getByTestId('auth-form').getByRole('status').textContent();
const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

/** What the server answers a token: 200, or the refusal's message. */
async function tryToken(base: string, token: string): Promise<{ status: number; message?: string }> {
  const response = await fetch(`${base}/trpc/channel.list`, { headers: { authorization: `Bearer ${token}` } });
  if (response.ok) return { status: response.status };
  const body = (await response.json()) as { error?: { message?: string } };
  return { status: response.status, message: body.error?.message };
}

/** The storage the page's scripts can read, whole: keys and values of localStorage and sessionStorage. */
const readableStorage = (page: Page) =>
  page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));

async function logOut(page: Page, item: 'logout' | 'logout-everywhere') {
  await page.getByTestId('user-menu').click();
  await page.getByTestId(item).click();
}

describe('sessions in a real browser against a real server', () => {
  it('(a) with 3-second tokens: stays signed in across expiries, sends a draft after one, survives a reload, stores no token', async () => {
    const shortTokens = shortTokenServer.server;
    const context = await newBrowserContext();
    const { page, wire } = await newTab(context, 'amy');
    await signUpThroughUi(page, shortTokens.url, 'amy', WAIT);
    await connected(page);

    // Several token lifetimes go by: renewed silently, on the one socket, with no sign of it on screen.
    await expect.poll(() => wire.refreshes, { timeout: WAIT }).toBeGreaterThanOrEqual(5);
    await connected(page);
    expect(await page.getByTestId('auth-form').count()).toBe(0);
    expect(wire.socketsOpened).toBe(1);
    expect(wire.socketsClosed).toBe(0);
    const renewed = new Set(wire.calls.filter((c) => c.path === 'auth.refresh').map((c) => c.token));
    expect(renewed.size).toBeGreaterThanOrEqual(5);

    // The tab "sleeps": its next renewal is held on the wire, so the token it holds runs out.
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    let heldWith: string | null = null;
    await page.route('**/trpc/auth.refresh', async (route) => {
      heldWith ??=
        route
          .request()
          .headers()
          .authorization?.replace(/^Bearer /, '') ?? null;
      await woken;
      await route.continue();
    });
    await expect.poll(() => heldWith, { timeout: WAIT }).not.toBeNull();
    const stale = heldWith as unknown as string;
    // The server's word that the page's token has expired (no sleeping on our side).
    await expect
      .poll(async () => (await tryToken(shortTokens.url, stale)).message, { timeout: WAIT })
      .toMatch(/expired/);

    // A draft typed and sent now goes out with the expired token, is refused, and is sent again after the renewal.
    const draft = 'typed while the token ran out';
    const composer = page.getByTestId('composer');
    await composer.fill(draft);
    const refused = page.waitForResponse((r) => r.url().includes('message.send') && r.status() === 401, {
      timeout: WAIT,
    });
    await composer.press('Enter');
    await refused;
    // Meanwhile the text is on screen as a message on its way, never lost.
    await page.locator('[data-testid="message"][data-pending]', { hasText: draft }).waitFor({ timeout: WAIT });
    wake();
    await confirmed(page, draft).waitFor({ timeout: WAIT });
    await page.unroute('**/trpc/auth.refresh');
    const sends = wire.calls.filter((c) => c.path.split(',').includes('message.send'));
    expect(sends.length).toBe(2);
    expect(sends[0]?.token).toBe(stale);
    expect(sends[1]?.token).not.toBe(stale);
    expect(await page.getByTestId('auth-form').count()).toBe(0);
    expect(await confirmed(page, draft).count()).toBe(1);

    // A reload: the cookie signs the person in again, with no login screen on the way.
    await page.evaluate(() => localStorage.setItem('hubbub.token', 'left by an older version'));
    await page.addInitScript(() => {
      const seen = { login: false };
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="auth-form"]')) seen.login = true;
      }).observe(document, { childList: true, subtree: true });
    });
    const refreshesBefore = wire.refreshes;
    await page.reload();
    await inGeneral(page);
    await confirmed(page, draft).waitFor({ timeout: WAIT });
    await expect.poll(() => wire.refreshes, { timeout: WAIT }).toBeGreaterThanOrEqual(refreshesBefore + 3);
    expect(await page.evaluate(() => (window as unknown as { __seen: { login: boolean } }).__seen.login)).toBe(false);

    // Nothing a page script can read holds a token (the old key is gone too).
    const storage = await readableStorage(page);
    const tokens = [...new Set(wire.calls.map((c) => c.token).filter((t): t is string => Boolean(t)))];
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(storage).not.toContain(token);
    expect(storage).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(storage).not.toContain('hubbub.token');
    expect(await page.evaluate(() => document.cookie)).not.toContain('hubbub_session');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('(b) logging out in one tab ends the other tab’s session, which says so; the old token stops working', async () => {
    const { server } = suite;
    const context = await newBrowserContext();
    const first = await newTab(context, 'ben-1');
    await signUpThroughUi(first.page, server.url, 'ben', WAIT);
    // A second tab of the same browser is signed in by the cookie alone.
    const second = await newTab(context, 'ben-2');
    await second.page.goto(server.url);
    await inGeneral(second.page);
    await connected(second.page);
    await connected(first.page);
    const tokenOf = (wire: Wire) => wire.calls.findLast((c) => c.token)?.token ?? null;
    const secondToken = tokenOf(second.wire);
    const firstToken = tokenOf(first.wire);
    if (!secondToken || !firstToken) throw new Error('the tabs sent no token');
    expect(await tryToken(server.url, secondToken)).toEqual({ status: 200 });

    await logOut(first.page, 'logout');
    await loginScreen(first.page);
    await loginScreen(second.page);
    expect(await notice(second.page)).toBe('You logged out.');
    expect(await first.page.getByTestId('auth-form').getByRole('status').count()).toBe(0);

    // Over HTTP too: both tabs' tokens and the cookie are done.
    for (const token of [firstToken, secondToken]) {
      expect(await tryToken(server.url, token)).toEqual({
        status: 401,
        message: 'your session has ended: log in again',
      });
    }
    const refreshStatus = await second.page.evaluate(
      async () =>
        (await fetch('/trpc/auth.refresh', { method: 'POST', headers: { 'content-type': 'application/json' } })).status,
    );
    expect(refreshStatus).toBe(401);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('(b) "Log out everywhere" in another browser closes this one’s socket and signs it out with the reason', async () => {
    const { server } = suite;
    const laptop = await newBrowserContext();
    const phone = await newBrowserContext();
    const here = await newTab(laptop, 'cat-laptop');
    await signUpThroughUi(here.page, server.url, 'cat', WAIT);
    await connected(here.page);
    const there = await newTab(phone, 'cat-phone');
    await there.page.goto(server.url);
    await loginScreen(there.page);
    await there.page.getByTestId('auth-handle').fill('cat');
    await there.page.getByTestId('auth-password').fill(PASSWORD);
    await there.page.getByTestId('auth-submit').click();
    await inGeneral(there.page);

    await logOut(there.page, 'logout-everywhere');
    await loginScreen(there.page);
    expect(await notice(there.page)).toBe('Every session of this account was ended.');
    // Separate browsers share no cookie and no BroadcastChannel: the server's 4401 close did this.
    await loginScreen(here.page);
    expect(await notice(here.page)).toBe('Every session of this account was ended.');
    expect(pageErrors).toEqual([]);
    await Promise.all([laptop.close(), phone.close()]);
  });

  it('logging in in one tab signs in the other tabs that show the login screen', async () => {
    const { server } = suite;
    const context = await newBrowserContext();
    const waiting = await newTab(context, 'dan-waiting');
    await waiting.page.goto(server.url);
    await loginScreen(waiting.page);
    const active = await newTab(context, 'dan-active');
    await signUpThroughUi(active.page, server.url, 'dan', WAIT);
    await inGeneral(waiting.page);
    await connected(waiting.page);
    expect(await waiting.page.getByTestId('user-menu').textContent()).toContain('@dan');
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('(c) signup explains a weak password and a reserved handle under their fields', async () => {
    const { server } = suite;
    const context = await newBrowserContext();
    const { page } = await newTab(context, 'eve');
    await page.goto(server.url);
    await page.getByTestId('auth-mode-signup').click();
    const form = page.getByTestId('auth-form');

    await page.getByTestId('auth-handle').fill('everyone');
    await page.getByTestId('auth-password').fill(PASSWORD);
    await page.getByTestId('auth-submit').click();
    await form.locator('.field-error', { hasText: 'reserved' }).waitFor({ timeout: WAIT });

    await page.getByTestId('auth-handle').fill('eve');
    await page.getByTestId('auth-password').fill('password1');
    await page.getByTestId('auth-submit').click();
    const reason = form.locator('.field-error', { hasText: 'Choose a stronger password' });
    await reason.waitFor({ timeout: WAIT });
    // Under the password field, with the estimator's reason after the lead-in.
    expect(await page.getByTestId('auth-password').getAttribute('aria-invalid')).toBe('true');
    expect((await reason.textContent())?.length).toBeGreaterThan('Choose a stronger password.'.length);
    expect(await page.getByTestId('auth-error').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it('before React arrives, the page’s own form switches to sign-up, shows the server’s reasons and signs up; React takes over the form as left', async () => {
    const { server } = suite;
    const reactTookOver = (page: Page) =>
      page.evaluate(() => performance.getEntriesByName('hubbub:react-took-over').length > 0);
    /** A page whose app bundle is held on the wire until `release`: only the first-page script runs the form. */
    async function heldPage(context: BrowserContext, name: string) {
      const { page } = await newTab(context, name);
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        // The refused sign-up's own 400 is logged by the browser; anything else (a hydration mismatch) is a fault.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          consoleErrors.push(message.text());
        }
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/assets\/index-[\w-]+\.js$/, async (route) => {
        await released;
        await route.continue();
      });
      // Not 'load' or 'domcontentloaded': both wait for the held module script.
      await page.goto(server.url, { waitUntil: 'commit' });
      return { page, release, consoleErrors };
    }

    const context = await newBrowserContext();
    const held = await heldPage(context, 'gus');
    await held.page.getByTestId('auth-mode-signup').click();
    await held.page.getByTestId('auth-handle').fill('gus');
    await held.page.getByTestId('auth-password').fill('password1');
    const weak = held.page.waitForResponse((r) => r.url().endsWith('/trpc/auth.signup'), { timeout: WAIT });
    await held.page.getByTestId('auth-submit').click();
    expect((await weak).status()).toBe(400);
    // The browser's own bubble carries the server's reason until React can put it under the field.
    await expect
      .poll(() => held.page.getByTestId('auth-password').evaluate((e) => (e as HTMLInputElement).validationMessage))
      .toMatch(/^Choose a stronger password/);
    expect(await reactTookOver(held.page)).toBe(false);

    // React hydrates the sign-up form as the person left it, and shows the reason under the field.
    held.release();
    const form = held.page.getByTestId('auth-form');
    await form.locator('.field-error', { hasText: 'Choose a stronger password' }).waitFor({ timeout: WAIT });
    expect(await reactTookOver(held.page)).toBe(true);
    expect(await form.getByRole('heading').textContent()).toBe('Create your account');
    expect(await held.page.getByTestId('auth-handle').inputValue()).toBe('gus');
    expect(await held.page.getByTestId('auth-password').getAttribute('aria-invalid')).toBe('true');
    // React's form from here on; after a sign-out the login screen starts empty, not as the first page left it.
    await held.page.getByTestId('auth-password').fill(PASSWORD);
    await held.page.getByTestId('auth-submit').click();
    await inGeneral(held.page);
    await logOut(held.page, 'logout');
    await loginScreen(held.page);
    expect(await form.getByRole('heading').textContent()).toBe('Welcome back');
    expect(await held.page.getByTestId('auth-handle').inputValue()).toBe('');
    expect(await held.page.getByTestId('auth-password').inputValue()).toBe('');
    expect(await form.locator('.field-error').count()).toBe(0);
    expect(held.consoleErrors).toEqual([]);
    await context.close();

    // A sign-up that succeeds before React: React starts signed in, with no login screen on the way.
    const fresh = await newBrowserContext();
    const early = await heldPage(fresh, 'gus-2');
    await early.page.getByTestId('auth-mode-signup').click();
    await early.page.getByTestId('auth-handle').fill('gus-early');
    await early.page.getByTestId('auth-password').fill(PASSWORD);
    const accepted = early.page.waitForResponse((r) => r.url().endsWith('/trpc/auth.signup'), { timeout: WAIT });
    await early.page.getByTestId('auth-submit').click();
    expect((await accepted).status()).toBe(200);
    expect(await early.page.getByTestId('auth-submit').isDisabled()).toBe(true);
    expect(await reactTookOver(early.page)).toBe(false);
    early.release();
    await inGeneral(early.page);
    await connected(early.page);
    expect(await early.page.getByTestId('user-menu').textContent()).toContain('@gus-early');
    expect(early.consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await fresh.close();
  });

  it('login says when to try again once sign-ins for a handle are throttled', async () => {
    const { server } = suite;
    await server.signup('fay', PASSWORD);
    const context = await newBrowserContext();
    const { page } = await newTab(context, 'fay');
    await page.goto(server.url);
    await loginScreen(page);
    await page.getByTestId('auth-handle').fill('fay');
    await page.getByTestId('auth-password').fill('not the password');
    const error = page.getByTestId('auth-error');
    const submit = page.getByTestId('auth-submit');
    // Three wrong guesses are answered as such; the fourth is refused with the time to come back.
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const answered = page.waitForResponse((r) => r.url().includes('auth.login'), { timeout: WAIT });
      await submit.click();
      statuses.push((await answered).status());
      await expect.poll(() => submit.isEnabled(), { timeout: WAIT }).toBe(true);
      if (attempt === 3) expect(await error.textContent()).toBe('Wrong handle or password');
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    await error.filter({ hasText: 'Too many' }).waitFor({ timeout: WAIT });
    expect(await error.textContent()).toMatch(
      /^Too many failed sign-ins for this handle: try again in \d+ min \(at .+\)$/,
    );
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
