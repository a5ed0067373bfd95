import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@hubbub/server/test/harness';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMarkdown } from '../features/chat/markdown-budget';
import { PATHOLOGICAL } from '../features/chat/markdown-test-data';
import { assertWebBuilt, launchChromium, outDir, signUpThroughUi, webDir } from './browser-harness';

const WAIT = 15_000;

let server: TestServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  assertWebBuilt();
  server = await startTestServer({ webDir });
  browser = await launchChromium();
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.stop();
  }
});

/** What the reader should see of a message: the server stores it trimmed. */
interface Posted {
  name: string;
  text: string;
  plain: boolean;
}

const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

/** How the page shows the `count` messages posted just before the one that reads `sentinel`. */
async function rowsBefore(page: Page, sentinel: string, count: number) {
  const rows = page.locator('[data-testid="message"]:not([data-pending]) [data-testid="message-content"]');
  const all = await rows.evaluateAll((elements) =>
    elements.map((el) => ({
      plain: el.querySelector('.md-plain')?.getAttribute('data-plain') ?? null,
      shown: el.querySelector('.md-plain > p:first-child')?.textContent ?? null,
      note: el.querySelector('[data-testid="plain-text-note"]')?.textContent ?? null,
      text: el.textContent ?? '',
      codeBlocks: el.querySelectorAll('[data-testid="code-block"]').length,
    })),
  );
  const end = all.findIndex((row) => row.text === sentinel);
  expect(end).toBeGreaterThanOrEqual(count);
  return all.slice(end - count, end);
}

describe('one message cannot take the page down', () => {
  it('pathological Markdown shows as text with a note; the channel keeps working', async () => {
    if (!server || !browser) throw new Error('setup failed');
    const mallory = await server.signup('mallory');
    const api = server.client(mallory.token).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    const post = (content: string) => api.message.send.mutate({ channelId: general.id, content });

    const posted: Posted[] = Object.entries(PATHOLOGICAL).map(([name, text]) => ({
      name,
      text: text.trim(),
      plain: planMarkdown(text.trim()) !== 'format',
    }));
    const sentinel = 'sentinel: everything is posted';
    for (const message of posted) await post(message.text);
    await post(sentinel);

    // Another user opens the channel: history brings every message at once.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signUpThroughUi(page, server.url, 'reader', WAIT);
    await confirmed(page, sentinel).waitFor({ timeout: WAIT });

    const rows = await rowsBefore(page, sentinel, posted.length);
    posted.forEach((message, i) => {
      const row = rows[i];
      if (message.plain) {
        expect(row?.plain, message.name).toMatch(/^too-(nested|complex)$/);
        expect(row?.shown, message.name).toBe(message.text);
        expect(row?.note, message.name).toMatch(/^Shown as plain text: too (deeply nested|complex) to format$/);
      } else {
        // Cheap to parse, so formatted: its text as is, or (a lone run of backticks) the code block it opens.
        expect(row?.note, message.name).toBeNull();
        expect(row?.text === message.text || row?.codeBlocks === 1, message.name).toBe(true);
      }
    });
    // The budget caught everything: no message needed the error boundary.
    expect(await page.locator('[data-plain="failed"]').count()).toBe(0);

    // One more arrives live while the channel is open.
    const live = PATHOLOGICAL['block quotes (7,990 ">")'];
    const liveSentinel = 'sentinel: the live one is posted';
    await post(live);
    await post(liveSentinel);
    await confirmed(page, liveSentinel).waitFor({ timeout: WAIT });
    const [liveRow] = await rowsBefore(page, liveSentinel, 1);
    expect(liveRow?.plain).toBe('too-nested');
    expect(liveRow?.shown).toBe(live);

    // The page is still usable: the composer sends, and the message appears.
    const composer = page.getByTestId('composer');
    await composer.fill('still here after all that');
    await composer.press('Enter');
    await confirmed(page, 'still here after all that').waitFor({ timeout: WAIT });
    expect(await composer.inputValue()).toBe('');

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'markdown-safety.png') });
    expect(pageErrors).toEqual([]);
  });
});
