import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@hubbub/server/test/harness';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWebBuilt, launchChromium, outDir, signUpThroughUi, webDir } from './browser-harness';

const WAIT = 15_000;

let server: TestServer | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  assertWebBuilt();
  // A slow offline model (a burst of tokens every 40 ms) so a reply can be stopped half-way.
  server = await startTestServer({ webDir, assistant: { offlineTokenIntervalMs: 40 } });
  // The first account is the admin: take it here, so the people in the browser are plain members.
  await server.signup('root');
  browser = await launchChromium();
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

/** A fresh browser context that signs up through the UI and lands in #general. */
async function signUp(handle: string): Promise<Page> {
  if (!browser || !server) throw new Error('setup failed');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${handle}: ${error.message}`));
  await signUpThroughUi(page, server.url, handle, WAIT);
  await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
  return page;
}

const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });
const content = (message: Locator) => message.getByTestId('message-content');
const textLength = async (message: Locator) => ((await content(message).textContent()) ?? '').length;

describe('assistant replies in a real browser', () => {
  it('Markdown in messages: code blocks copy, raw HTML stays text', async () => {
    const ada = await signUp('ada');
    const composer = ada.getByTestId('composer');
    await composer.fill('Run this:\n```sh\npnpm dev\n```\nthen <img src=x onerror="window.__xss = 1"> **done**');
    await composer.press('Enter');
    const message = confirmed(ada, 'Run this:');
    await message.waitFor({ timeout: WAIT });

    expect(await message.locator('pre code').textContent()).toBe('pnpm dev\n');
    expect(await message.locator('strong').textContent()).toBe('done');
    // The HTML is shown as what it is: text, not an element.
    expect(await message.locator('img').count()).toBe(0);
    expect(await content(message).textContent()).toContain('<img src=x onerror="window.__xss = 1">');
    expect(await ada.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

    const copy = message.getByTestId('copy-code');
    await copy.click();
    await message.locator('[data-testid="copy-code"]', { hasText: 'Copied' }).waitFor({ timeout: WAIT });
    expect(await ada.evaluate(() => navigator.clipboard.readText())).toBe('pnpm dev');
    expect(pageErrors).toEqual([]);
    await ada.context().close();
  });

  it('a reply streams with a caret, stops on request, and regenerates as Markdown', async () => {
    const grace = await signUp('grace');
    const hopper = await signUp('hopper');
    const composer = grace.getByTestId('composer');

    // Typing "@as" offers @assistant; Tab accepts it.
    await composer.click();
    await composer.pressSequentially('@as');
    await grace.getByTestId('mention-assistant').waitFor({ timeout: WAIT });
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe('@assistant ');
    expect(await grace.getByTestId('mention-menu').count()).toBe(0);
    await composer.pressSequentially('help');
    expect(await grace.getByTestId('composer-hint').textContent()).toContain('The assistant will reply');
    await composer.press('Enter');

    const reply = grace.locator('[data-testid="message"].role-assistant').last();
    await reply.waitFor({ timeout: WAIT });
    expect(await reply.getByTestId('message-author').textContent()).toBe('Assistant');
    expect(await reply.getByTestId('assistant-avatar').count()).toBe(1);

    // It grows while it streams, with a caret at the end.
    await expect.poll(() => textLength(reply), { timeout: WAIT, interval: 20 }).toBeGreaterThan(0);
    const first = await textLength(reply);
    await expect.poll(() => textLength(reply), { timeout: WAIT, interval: 20 }).toBeGreaterThan(first);
    expect(await reply.getAttribute('data-status')).toBe('streaming');
    expect(await reply.getByTestId('stream-caret').isVisible()).toBe(true);

    // Only the person who asked (or an admin) gets a Stop button; hopper watches the same stream without one.
    const watched = hopper.locator('[data-testid="message"].role-assistant').last();
    await watched.getByTestId('stream-caret').waitFor({ timeout: WAIT });
    expect(await watched.getByTestId('assistant-stop').count()).toBe(0);

    await reply.getByTestId('assistant-stop').click();
    await grace.locator('[data-testid="message"].role-assistant[data-status="cancelled"]').waitFor({ timeout: WAIT });
    const frozen = await content(reply).textContent();
    await grace.waitForTimeout(1000);
    expect(await content(reply).textContent()).toBe(frozen);
    // Stopped half-way: the end of the help text never came.
    expect(frozen).not.toContain('offline model');
    expect(await reply.getByTestId('assistant-status').textContent()).toBe('Stopped');
    expect(await reply.getByTestId('stream-caret').count()).toBe(0);
    expect(await reply.getByTestId('assistant-stop').count()).toBe(0);
    const regenerate = reply.getByTestId('assistant-regenerate');
    expect(await regenerate.isVisible()).toBe(true);

    // Regenerate: the same message is written again, to the end, as Markdown.
    await regenerate.click();
    await grace.locator('[data-testid="message"].role-assistant[data-status="complete"]').waitFor({ timeout: WAIT });
    expect(await grace.locator('[data-testid="message"].role-assistant').count()).toBe(1);
    expect(await content(reply).textContent()).toContain('offline model');
    expect(await content(reply).locator('li').count()).toBeGreaterThan(0);
    expect(await content(reply).locator('code').count()).toBeGreaterThan(0);
    expect(await content(reply).locator('strong').count()).toBeGreaterThan(0);
    expect(await reply.getByTestId('assistant-usage').textContent()).toMatch(/^hubbub-offline-1 · \d+ tokens$/);
    expect(await reply.getByTestId('assistant-status').count()).toBe(0);
    expect(await reply.getByTestId('stream-caret').count()).toBe(0);
    // The watcher sees the same finished reply.
    await hopper.locator('[data-testid="message"].role-assistant[data-status="complete"]').waitFor({ timeout: WAIT });
    expect(await content(watched).textContent()).toBe(await content(reply).textContent());

    await grace.mouse.move(0, 0);
    mkdirSync(outDir, { recursive: true });
    await grace.screenshot({ path: join(outDir, 'assistant.png') });
    expect(existsSync(join(outDir, 'assistant.png'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
