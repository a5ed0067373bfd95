/**
 * Reading code and replies in a real browser, under the app's
 * Content-Security-Policy: fenced code is highlighted (the highlighter loads
 * only once code is on screen) and keeps its indentation to the character
 * and the pixel; an assistant reply copies as its Markdown; a long message
 * folds behind "Show more".
 */
import { handMadeModel } from '@hubbub/assistant';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpThroughUi, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const REPLY = [
  'Here is the fix:',
  '',
  '```ts',
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item;',
  '  return sum;',
  '}',
  '```',
  '',
  'It adds **every** item.',
].join('\n');

/** A model that always writes REPLY, a few words at a time. */
const model = handMadeModel({ provider: 'fixed', model: 'fixed-1' }, async function* () {
  for (const word of REPLY.split(/(?<= )/)) yield word;
});

const suite = useBrowserSuite({ assistant: { model, deltaIntervalMs: 10 } });
const { pageErrors } = suite;

interface Violation {
  directive: string;
  blocked: string;
}

/** A signed-up page that records CSP violations from its first script on, and the scripts it loads. */
async function signUp(handle: string) {
  const page = await suite.newPage(handle, {
    viewport: { width: 1280, height: 900 },
    prepare: async (context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
      await context.addInitScript(() => {
        const seen: { directive: string; blocked: string }[] = [];
        (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
        document.addEventListener(
          'securitypolicyviolation',
          (e) => seen.push({ directive: e.violatedDirective, blocked: e.blockedURI }),
          true,
        );
      });
    },
  });
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url());
  });
  await signUpThroughUi(page, suite.server.url, handle, WAIT);
  await page.locator('[data-testid="connection-badge"][data-status="connected"]').waitFor({ timeout: WAIT });
  const violations = () =>
    page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations ?? []);
  return { page, scripts, violations };
}

const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

describe('reading code and replies', () => {
  it('a ```ts block is highlighted once on screen and keeps its indentation exactly', async () => {
    const { page, scripts, violations } = await signUp('ada');
    // Nothing on screen has code yet: the highlighter is not fetched with the app.
    expect(scripts.filter((url) => url.includes('code-highlighter'))).toEqual([]);

    const code = [
      '  const first = 1;',
      '  const second = 2;',
      '\tif (first) {',
      '\t\treturn   second; // spaces kept',
      '\t}',
      '    const last = `x`;',
    ].join('\n');
    const composer = page.getByTestId('composer');
    await composer.fill(`Indented:\n\n\`\`\`ts\n${code}\n\`\`\``);
    await composer.press('Enter');
    const message = confirmed(page, 'Indented:');
    await message.locator('pre[data-highlighted] .hljs-keyword').first().waitFor({ timeout: WAIT });

    expect(scripts.some((url) => url.includes('code-highlighter'))).toBe(true);
    expect(await message.locator('pre code').textContent()).toBe(`${code}\n`);
    expect(await message.locator('pre .hljs-keyword', { hasText: 'const' }).count()).toBe(3);
    expect(await message.locator('pre .hljs-string').first().textContent()).toBe('`x`');

    // The first two lines start with the same two spaces: their keywords line up to the pixel.
    const lefts = await message
      .locator('pre .hljs-keyword', { hasText: 'const' })
      .evaluateAll((keywords) => keywords.map((keyword) => keyword.getBoundingClientRect().left));
    expect(lefts[0]).toBe(lefts[1]);
    // And the code starts where the block's padding ends, not further in.
    const inset = await message.locator('pre').evaluate((pre) => {
      const first = pre.querySelector('code')?.firstChild ?? pre;
      const range = document.createRange();
      range.setStart(first, 0);
      range.setEnd(first, 1);
      return range.getBoundingClientRect().left - pre.getBoundingClientRect().left - pre.clientLeft;
    });
    const padding = await message
      .locator('pre')
      .evaluate((pre) => Number.parseFloat(getComputedStyle(pre).paddingLeft));
    expect(inset).toBeCloseTo(padding, 1);

    expect(await violations()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("Copy on an assistant reply puts the reply's Markdown on the clipboard", async () => {
    const { page, violations } = await signUp('grace');
    const composer = page.getByTestId('composer');
    await composer.fill('@assistant fix my sum');
    await composer.press('Enter');
    const reply = page.locator('[data-testid="message"].role-assistant[data-status="complete"]');
    await reply.waitFor({ timeout: WAIT });
    // The reply's code is highlighted too, once it is written.
    await reply.locator('pre .hljs-keyword', { hasText: 'function' }).waitFor({ timeout: WAIT });

    const copy = reply.getByTestId('assistant-copy');
    expect(await copy.textContent()).toBe('Copy');
    await copy.click();
    await reply.locator('[data-testid="assistant-copy"]', { hasText: 'Copied' }).waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(REPLY);

    expect(await violations()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('a long message folds behind "Show more" and opens from the keyboard', async () => {
    const { page, violations } = await signUp('lin');
    const long = Array.from({ length: 60 }, (_, i) => `line ${i + 1} of a long message`).join('\n');
    const composer = page.getByTestId('composer');
    await composer.fill(long);
    await composer.press('Enter');
    const message = confirmed(page, 'line 1 of a long message');
    const toggle = message.getByTestId('message-fold-toggle');
    await toggle.waitFor({ timeout: WAIT });

    const fold = message.getByTestId('message-fold');
    const height = () => fold.evaluate((el) => el.getBoundingClientRect().height);
    expect(await toggle.textContent()).toBe('Show more');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await fold.getAttribute('data-fold')).toBe('folded');
    expect(await height()).toBeLessThanOrEqual(360);

    await toggle.focus();
    await page.keyboard.press('Enter');
    await message.locator('[data-testid="message-fold-toggle"][aria-expanded="true"]').waitFor({ timeout: WAIT });
    expect(await toggle.textContent()).toBe('Show less');
    expect(await height()).toBeGreaterThan(600);
    // The whole text is there, as sent.
    expect(await message.getByTestId('message-content').textContent()).toBe(long);

    await toggle.click();
    await message.locator('[data-testid="message-fold"][data-fold="folded"]').waitFor({ timeout: WAIT });
    // A short message has no button.
    await composer.fill('short and sweet');
    await composer.press('Enter');
    await confirmed(page, 'short and sweet').waitFor({ timeout: WAIT });
    expect(await confirmed(page, 'short and sweet').getByTestId('message-fold-toggle').count()).toBe(0);

    expect(await violations()).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
