import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@hubbub/server/test/harness';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { outDir, sessionToken, signUpThroughUi, useBrowserSuite, webDir, webSocketSwitch } from './browser-harness';

const WAIT = 15_000;
/** The socket reconnects with a jittered backoff of up to 15 s, and the outbox retries as long. */
const RECONNECT_WAIT = 40_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

const composer = (page: Page) => page.getByTestId('composer');
const channelItem = (page: Page, slug: string) => page.locator(`[data-testid="channel-item"][data-slug="${slug}"]`);
const pendingRow = (page: Page, text: string) =>
  page.locator('[data-testid="message"][data-pending]', { hasText: text });
const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });
const banner = (page: Page) => page.getByTestId('connection-banner');

async function openChannel(page: Page, slug: string) {
  await channelItem(page, slug).click();
  await page
    .locator(`[data-testid="channel-item"][data-slug="${slug}"][aria-current="page"]`)
    .waitFor({ timeout: WAIT });
  await composer(page).waitFor({ timeout: WAIT });
}

/** The stored copies of a message in #general, read by another client (not through the page). */
async function copiesInGeneral(server: TestServer, token: string, content: string): Promise<number> {
  const { api } = server.client(token);
  const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
  if (!general) throw new Error('no #general');
  const history = await api.message.history.query({ channelId: general.id, limit: 100 });
  return history.items.filter((m) => m.content === content).length;
}

describe('lose nothing: drafts, the outbox and the connection banner', () => {
  it('a draft survives switching channels and a reload, and is gone once sent', async () => {
    const page = await suite.newPage('dora');
    await signUpThroughUi(page, suite.server.url, 'dora', WAIT);
    await suite.server
      .client(await sessionToken(page))
      .api.channel.create.mutate({ slug: 'sketches', name: 'Sketches' });
    await page.reload();
    await composer(page).waitFor({ timeout: WAIT });

    await composer(page).pressSequentially('half a thought for general');
    await openChannel(page, 'sketches');
    expect(await composer(page).inputValue()).toBe('');
    await composer(page).fill('a sketch, not ready');

    await openChannel(page, 'general');
    expect(await composer(page).inputValue()).toBe('half a thought for general');

    await page.reload();
    await composer(page).waitFor({ timeout: WAIT });
    expect(await composer(page).inputValue()).toBe('half a thought for general');
    await openChannel(page, 'sketches');
    expect(await composer(page).inputValue()).toBe('a sketch, not ready');

    // Sending clears the draft: a reload brings back an empty composer.
    await composer(page).press('Enter');
    await confirmed(page, 'a sketch, not ready').waitFor({ timeout: WAIT });
    expect(await composer(page).inputValue()).toBe('');
    await page.reload();
    await composer(page).waitFor({ timeout: WAIT });
    expect(await composer(page).inputValue()).toBe('');
    expect(pageErrors).toEqual([]);
  });

  it('a message sent while the server is down shows "sending" under a banner, and is delivered once after the restart', async () => {
    // A server of its own: this test stops it and starts it again on the same data and port.
    let server = await startTestServer({ webDir });
    const { dataDir, port } = server;
    try {
      const page = await suite.newPage('otto');
      await signUpThroughUi(page, server.url, 'otto', WAIT);
      await page.getByTestId('connection-badge').filter({ hasText: 'Connected' }).waitFor({ timeout: WAIT });
      const token = await sessionToken(page);
      expect(await banner(page).count()).toBe(0);

      await server.stop({ keepData: true });
      await banner(page).waitFor({ timeout: WAIT });
      expect(await banner(page).getAttribute('role')).toBe('alert');
      expect(await banner(page).textContent()).toContain('Connection lost: reconnecting…');

      const text = 'written while the server was down';
      await composer(page).fill(text);
      await composer(page).press('Enter');
      await pendingRow(page, text).waitFor({ timeout: WAIT });
      expect(await pendingRow(page, text).textContent()).toContain('sending');
      await banner(page).filter({ hasText: 'Your message will be sent when it’s back.' }).waitFor({ timeout: WAIT });
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'connection-banner.png') });

      server = await startTestServer({ webDir, dataDir, port });
      await confirmed(page, text).waitFor({ timeout: RECONNECT_WAIT });
      await banner(page).waitFor({ state: 'detached', timeout: RECONNECT_WAIT });
      expect(await page.locator('[data-testid="message"]', { hasText: text }).count()).toBe(1);
      expect(await copiesInGeneral(server, token, text)).toBe(1);

      // Nothing is left in the outbox to go out again after a reload.
      await page.reload();
      await confirmed(page, text).waitFor({ timeout: WAIT });
      expect(await pendingRow(page, text).count()).toBe(0);
      expect(await copiesInGeneral(server, token, text)).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an unsent message survives a reload while the link is down, then goes out once', async () => {
    // The page must load from the server, so "down" here is the network: the WebSocket is cut and
    // every message.send is dropped on the way (a stopped server could not serve the reload).
    const network = webSocketSwitch();
    let sendsFail = true;
    const page = await suite.newPage('pia', {
      prepare: async (context) => {
        await network.install(context);
        await context.route(/\/trpc\/[^?]*message\.send/, (route) =>
          sendsFail ? route.abort('internetdisconnected') : route.continue(),
        );
      },
    });
    await signUpThroughUi(page, suite.server.url, 'pia', WAIT);
    await page.getByTestId('connection-badge').filter({ hasText: 'Connected' }).waitFor({ timeout: WAIT });
    const token = await sessionToken(page);

    await network.cut();
    const text = 'typed before the reload, offline';
    await composer(page).fill(text);
    await composer(page).press('Enter');
    await pendingRow(page, text).waitFor({ timeout: WAIT });

    await page.reload();
    await pendingRow(page, text).waitFor({ timeout: WAIT });
    expect(await pendingRow(page, text).textContent()).toContain('sending');
    expect(await copiesInGeneral(suite.server, token, text)).toBe(0);

    sendsFail = false;
    network.restore();
    await confirmed(page, text).waitFor({ timeout: RECONNECT_WAIT });
    expect(await page.locator('[data-testid="message"]', { hasText: text }).count()).toBe(1);
    expect(await copiesInGeneral(suite.server, token, text)).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
