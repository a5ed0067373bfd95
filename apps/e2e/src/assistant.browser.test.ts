import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { handMadeModel } from '@hubbub/assistant';
import type { TestServer } from '@hubbub/server/test/harness';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { outDir, signUpThroughUi, useBrowserSuite, useWebServer } from './browser-harness';

const WAIT = 15_000;

// A slow offline model (a burst of 3 tokens every 150 ms: the help text takes ~5 s) so a reply can be
// stopped half-way even on a busy machine (at 40 ms it was over in ~1.2 s, sometimes before the click).
const suite = useBrowserSuite({ assistant: { offlineTokenIntervalMs: 150 } });
const { pageErrors } = suite;

beforeAll(async () => {
  // The first account is the admin: take it here, so the people in the browser are plain members.
  await suite.server.signup('root');
});

/** A fresh browser context that signs up through the UI and lands in #general. */
async function signUp(handle: string, on: TestServer = suite.server): Promise<Page> {
  const page = await suite.newPage(handle, {
    viewport: { width: 1280, height: 900 },
    prepare: (context) => context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: on.url }),
  });
  await signUpThroughUi(page, on.url, handle, WAIT);
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
    // Nothing more comes after the stop: a message hopper sends now reaches grace behind any text still on its way.
    await hopper.getByTestId('composer').fill('thanks, that was enough');
    await hopper.getByTestId('composer').press('Enter');
    await confirmed(grace, 'thanks, that was enough').waitFor({ timeout: WAIT });
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

/** A model whose every call says nothing until the test gives it its answer (or the call is stopped). */
function gatedModel() {
  const answers: ((text: string) => void)[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  const model = handMadeModel({ provider: 'gated', model: 'gated-1' }, async function* (_prompt, signal) {
    const answer = new Promise<string>((resolve, reject) => {
      answers.push(resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    for (const wake of waiters.splice(0)) wake();
    for (const word of (await answer).split(/(?<= )/)) yield word;
  });
  return {
    model,
    /** The next call the assistant makes (in order), once it makes it: answer it with `text`. */
    async nextCall(): Promise<(text: string) => void> {
      const index = taken++;
      while (!answers[index]) await new Promise<void>((resolve) => waiters.push(resolve));
      return answers[index] as (text: string) => void;
    },
  };
}

describe('the assistant when the model is busy, and versions', () => {
  const gated = gatedModel();
  // One reply at a time: a second asker waits in line.
  const busyServer = useWebServer({ assistant: { model: gated.model, maxConcurrent: 1, deltaIntervalMs: 10 } });

  beforeAll(async () => {
    await busyServer.server.signup('admin');
  });

  it('a queued reply says it is waiting and where it stands; after Regenerate the versions can be flipped', async () => {
    const busy = busyServer.server;
    const lin = await signUp('lin', busy);
    const max = await signUp('max', busy);
    const replies = (page: Page) => page.locator('[data-testid="message"].role-assistant');

    await lin.getByTestId('composer').fill('@assistant first');
    await lin.getByTestId('composer').press('Enter');
    const answerLin = await gated.nextCall();
    await max.getByTestId('composer').fill('@assistant second');
    await max.getByTestId('composer').press('Enter');
    // A third asker, over the API: behind max in line.
    const ivy = await busy.signup('ivy');
    const ivyClient = busy.client(ivy.token);
    const general = (await ivyClient.api.channel.list.query()).items.find((c) => c.slug === 'general');
    await ivyClient.api.message.send.mutate({ channelId: general?.id ?? '', content: '@assistant third' });

    // Everyone sees the replies at once: the first thinking, the others waiting with their place.
    const maxReply = replies(max).nth(1);
    await maxReply
      .getByTestId('assistant-waiting')
      .filter({ hasText: 'Waiting for the model… (next in line)' })
      .waitFor({ timeout: WAIT });
    const ivyReply = replies(max).nth(2);
    await ivyReply
      .getByTestId('assistant-waiting')
      .filter({ hasText: 'Waiting for the model… (2nd in line)' })
      .waitFor({ timeout: WAIT });
    expect(await replies(max).nth(0).getByTestId('assistant-thinking').count()).toBe(1);
    expect(await maxReply.getAttribute('data-status')).toBe('streaming');
    // The one who asked may stop a waiting reply; someone else may not.
    expect(await maxReply.getByTestId('assistant-stop').count()).toBe(1);
    expect(await replies(lin).nth(1).getByTestId('assistant-stop').count()).toBe(0);

    // The first answer ends: max's reply leaves the line, ivy's moves up.
    answerLin('First answer.');
    const answerMax = await gated.nextCall();
    await ivyReply
      .getByTestId('assistant-waiting')
      .filter({ hasText: 'Waiting for the model… (next in line)' })
      .waitFor({ timeout: WAIT });
    expect(await maxReply.getByTestId('assistant-waiting').count()).toBe(0);
    answerMax('Second answer, version one.');
    await max
      .locator('[data-testid="message"].role-assistant[data-status="complete"]', { hasText: 'version one' })
      .waitFor({ timeout: WAIT });
    (await gated.nextCall())('Third answer.');
    await replies(max).nth(2).filter({ hasText: 'Third answer.' }).waitFor({ timeout: WAIT });

    // Only the asker is offered Regenerate; no versions to flip yet.
    expect(await replies(lin).nth(1).getByTestId('assistant-regenerate').count()).toBe(0);
    expect(await maxReply.getByTestId('assistant-versions').count()).toBe(0);
    await maxReply.getByTestId('assistant-regenerate').click();
    (await gated.nextCall())('Second answer, version two.');
    await maxReply.filter({ hasText: 'version two' }).waitFor({ timeout: WAIT });
    await max
      .locator('[data-testid="message"].role-assistant[data-status="complete"]')
      .nth(1)
      .waitFor({ timeout: WAIT });

    // The newest is shown, with "‹ 2/2 ›"; flipping back shows the first text, and forward again the newest.
    const version = maxReply.getByTestId('assistant-version');
    await version.filter({ hasText: '2/2' }).waitFor({ timeout: WAIT });
    expect(await maxReply.getByTestId('assistant-version-next').isDisabled()).toBe(true);
    await maxReply.getByTestId('assistant-version-prev').click();
    await version.filter({ hasText: '1/2' }).waitFor({ timeout: WAIT });
    expect(await content(maxReply).textContent()).toContain('Second answer, version one.');
    expect(await content(maxReply).textContent()).not.toContain('version two');
    expect(await maxReply.getByTestId('assistant-version-prev').isDisabled()).toBe(true);
    await maxReply.getByTestId('assistant-version-next').click();
    await version.filter({ hasText: '2/2' }).waitFor({ timeout: WAIT });
    expect(await content(maxReply).textContent()).toContain('Second answer, version two.');
    // Lin sees the versions too (and may flip them), without a Regenerate of her own.
    await replies(lin).nth(1).getByTestId('assistant-version').filter({ hasText: '2/2' }).waitFor({ timeout: WAIT });

    await max.mouse.move(0, 0);
    mkdirSync(outDir, { recursive: true });
    await max.screenshot({ path: join(outDir, 'assistant-versions.png') });
    expect(pageErrors).toEqual([]);
    await lin.context().close();
    await max.context().close();
  });
});
