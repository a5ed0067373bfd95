import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { handMadeModel } from '@hubbub/assistant';
import { LIMITS } from '@hubbub/core';
import { planMessage } from '@hubbub/web/markdown-plan';
import { denseOrdinaryMessage, ordinaryLongReply, PATHOLOGICAL } from '@hubbub/web/markdown-test-data';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { outDir, signUpThroughUi, useBrowserSuite, useWebServer } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** What the reader should see of a message's blocks shown as plain text: the server stores messages trimmed. */
interface Posted {
  name: string;
  text: string;
  plain: { plan: string; shown: string }[];
}

const posted = (name: string, text: string): Posted => ({
  name,
  text: text.trim(),
  plain: planMessage(text.trim())
    .parts.filter((part) => part.plan !== 'format')
    .map((part) => ({ plan: part.plan, shown: part.text })),
});

const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

/** How the page shows a message: its blocks shown as plain text (and their notes), its formatting. */
const shownAs = (content: Locator) =>
  content.evaluate((el) => ({
    plain: [...el.querySelectorAll('.md-plain')].map((block) => ({
      plan: block.getAttribute('data-plain') ?? '',
      shown: block.querySelector(':scope > p:first-child')?.textContent ?? '',
      note: block.querySelector('[data-testid="plain-text-note"]')?.textContent ?? null,
    })),
    text: el.textContent ?? '',
    codeBlocks: el.querySelectorAll('[data-testid="code-block"]').length,
    tables: el.querySelectorAll('table').length,
    headings: el.querySelectorAll('h2, h3').length,
    mentions: el.querySelectorAll('.mention').length,
    carets: el.querySelectorAll('[data-testid="stream-caret"]').length,
    // The caret ends the message: nothing but closing tags after it.
    caretLast: /data-testid="stream-caret"><\/span>(<\/[a-z0-9]+>)*$/.test(el.innerHTML),
  }));

/** How the page shows the `count` messages posted just before the one that reads `sentinel`. */
async function rowsBefore(page: Page, sentinel: string, count: number) {
  const rows = page.locator('[data-testid="message"]:not([data-pending]) [data-testid="message-content"]');
  const all = await Promise.all((await rows.all()).map(shownAs));
  const end = all.findIndex((row) => row.text === sentinel);
  expect(end).toBeGreaterThanOrEqual(count);
  return all.slice(end - count, end);
}

const NOTE = /^Shown as plain text: (too deeply nested|too complex|the rest of this message is too long) to format$/;

describe('one message cannot take the page down', () => {
  it('pathological Markdown shows as text with a note; the channel keeps working', async () => {
    const { server } = suite;
    const mallory = await server.signup('mallory');
    const api = server.client(mallory.token).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    const post = (content: string) => api.message.send.mutate({ channelId: general.id, content });

    // The posts mention no @assistant: a reply would land between them.
    const quiet = (text: string) => text.replaceAll('@assistant', '@someone');
    const messages: Posted[] = [
      ...Object.entries(PATHOLOGICAL).map(([name, text]) => posted(name, text)),
      posted('a long ordinary reply, at the length limit', quiet(ordinaryLongReply(LIMITS.message))),
      posted('dense ordinary formatting, too much for one parse', denseOrdinaryMessage()),
      posted(
        'one pathological block in an ordinary message',
        `${quiet(ordinaryLongReply(4000))}\n\n${'*a'.repeat(1600)}\n\nThe **end**.`,
      ),
    ];
    const sentinel = 'sentinel: everything is posted';
    for (const message of messages) await post(message.text);
    await post(sentinel);

    // Another user opens the channel: history brings every message at once.
    const page = await suite.newPage('reader');
    await signUpThroughUi(page, server.url, 'reader', WAIT);
    await confirmed(page, sentinel).waitFor({ timeout: WAIT });

    const rows = await rowsBefore(page, sentinel, messages.length);
    messages.forEach((message, i) => {
      const row = rows[i];
      // Each block the plan shows as plain text is shown as typed, with its note; everything else is formatted.
      expect(
        row?.plain.map(({ plan, shown }) => ({ plan, shown })),
        message.name,
      ).toEqual(message.plain);
      for (const block of row?.plain ?? []) expect(block.note, message.name).toMatch(NOTE);
    });
    const [reply, dense, mixed] = rows.slice(-3);
    expect(reply?.codeBlocks).toBeGreaterThan(5);
    expect(reply?.tables).toBeGreaterThan(2);
    expect(dense?.tables).toBeGreaterThan(10);
    expect(dense?.headings).toBeGreaterThan(10);
    // Only the "*a" block is plain: the code and tables above it and the bold after it are formatted.
    expect(mixed?.plain.map((block) => block.plan)).toEqual(['too-complex']);
    expect(mixed?.codeBlocks).toBeGreaterThan(2);
    expect(mixed?.text.endsWith('The end.')).toBe(true);
    // The budget caught everything: no message needed the error boundary.
    expect(await page.locator('[data-plain="failed"]').count()).toBe(0);

    // One more arrives live while the channel is open.
    const live = PATHOLOGICAL['block quotes (7,990 ">")'];
    const liveSentinel = 'sentinel: the live one is posted';
    await post(live);
    await post(liveSentinel);
    await confirmed(page, liveSentinel).waitFor({ timeout: WAIT });
    const [liveRow] = await rowsBefore(page, liveSentinel, 1);
    expect(liveRow?.plain.map(({ plan, shown }) => ({ plan, shown }))).toEqual([{ plan: 'too-nested', shown: live }]);

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

/** A model that writes what the test feeds it, when the test feeds it: the reply streams at the test's pace. */
function fedModel() {
  const chunks: (string | null)[] = [];
  let wake: (() => void) | null = null;
  const model = handMadeModel({ provider: 'fed', model: 'fed-1' }, async function* (_prompt, signal) {
    signal.addEventListener('abort', () => wake?.(), { once: true });
    for (;;) {
      while (chunks.length === 0 && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      const next = chunks.shift();
      if (signal.aborted || next === null || next === undefined) return;
      yield next;
    }
  });
  const push = (chunk: string | null) => {
    chunks.push(chunk);
    wake?.();
    wake = null;
  };
  return {
    model,
    /** Writes `text` as a model would, a few words at a time. */
    write(text: string) {
      for (let at = 0; at < text.length; at += 40) push(text.slice(at, at + 40));
    },
    end: () => push(null),
  };
}

describe('a long reply streams in formatted', () => {
  const fed = fedModel();
  const replying = useWebServer({ assistant: { model: fed.model, deltaIntervalMs: 30 } });

  it('a 20,000-character reply is formatted while it streams and when it is done', async () => {
    const page = await suite.newPage('asker');
    await signUpThroughUi(page, replying.server.url, 'asker', WAIT);
    const composer = page.getByTestId('composer');
    await composer.fill('@assistant how do I set it all up?');
    await composer.press('Enter');

    // Each section of the reply ends with a note that mentions @assistant: count them to follow it.
    const reply = ordinaryLongReply(20_000);
    const [intro = '', ...sections] = reply.split(/(?=\n\n## )/);
    const content = page.locator('[data-testid="message"].role-assistant [data-testid="message-content"]');
    const shownSections = async () => (await shownAs(content)).mentions;

    const half = Math.floor(sections.length / 2);
    fed.write(intro + sections.slice(0, half).join(''));
    await expect.poll(shownSections, { timeout: WAIT }).toBe(half);
    const midway = await shownAs(content);
    expect(midway.plain).toEqual([]);
    expect(midway.headings).toBe(half);
    expect(midway.tables).toBe(half);
    expect(midway.codeBlocks).toBe(2 * half);
    expect(midway.carets).toBe(1);
    expect(midway.caretLast).toBe(true);

    fed.write(sections.slice(half).join(''));
    fed.end();
    await page.locator('[data-testid="message"].role-assistant[data-status="complete"]').waitFor({ timeout: WAIT });
    const done = await shownAs(content);
    const fences = (reply.match(/```/g)?.length ?? 0) / 2;
    expect(done.plain).toEqual([]);
    expect(done.codeBlocks).toBe(fences);
    expect(done.tables).toBe(sections.length);
    expect(done.headings).toBe(sections.length);
    expect(done.mentions).toBe(sections.length);
    expect(done.carets).toBe(0);
    expect(done.text.endsWith('check the logs, and adjust.')).toBe(true);
    expect(await page.locator('[data-plain="failed"]').count()).toBe(0);

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'markdown-long-reply.png') });
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
