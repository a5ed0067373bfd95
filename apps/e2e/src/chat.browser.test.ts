import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { outDir, sessionToken, useBrowserSuite, webSocketSwitch } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** A fresh browser context (own storage) that signs up through the UI and lands in #general. */
const signUp = (handle: string, prepare?: (context: BrowserContext) => Promise<unknown>) =>
  suite.signUp(handle, { prepare });

const badge = (page: Page) => page.getByTestId('connection-badge');
const messages = (page: Page, text: string) => page.locator('[data-testid="message"]', { hasText: text });
const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

async function waitForText(page: Page, testId: string, text: string) {
  await page.locator(`[data-testid="${testId}"]`, { hasText: text }).waitFor({ timeout: WAIT });
}

describe('chat in a real browser against a real server', () => {
  it('two users chat live in #general; history survives a reload', async () => {
    const alice = await signUp('alice');
    const bob = await signUp('bob');

    await waitForText(alice, 'connection-badge', 'Connected');
    await waitForText(bob, 'connection-badge', 'Connected');
    expect(await badge(alice).textContent()).toContain('Connected');

    // Both are members and both show as online (presence from the live stream).
    await alice.locator('[data-testid="member"][data-online="true"]').nth(1).waitFor({ timeout: WAIT });
    expect(await alice.locator('[data-testid="member"]').count()).toBe(2);

    // An empty channel says what to do.
    expect(await alice.getByTestId('empty-state').textContent()).toContain('No messages yet');

    // Alice types: Bob sees the typing notice, then the message, without reloading.
    const composer = alice.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('Hello Bob, this is Alice');
    await waitForText(bob, 'typing-indicator', 'alice is typing');
    await composer.pressSequentially(' 👋');
    await composer.press('Enter');
    const first = 'Hello Bob, this is Alice 👋';
    await confirmed(bob, first).waitFor({ timeout: WAIT });
    await confirmed(alice, first).waitFor({ timeout: WAIT });
    expect(await composer.inputValue()).toBe('');
    // Optimistic row, ack and stream event are one message, on both sides.
    expect(await messages(alice, first).count()).toBe(1);
    expect(await messages(bob, first).count()).toBe(1);
    expect(await bob.getByTestId('typing-indicator').textContent()).not.toContain('alice is typing');

    // Bob answers with Shift+Enter for a second line.
    const bobComposer = bob.getByTestId('composer');
    await bobComposer.click();
    await bobComposer.pressSequentially('Hi Alice!');
    await bobComposer.press('Shift+Enter');
    await bobComposer.pressSequentially('Second line.');
    await bobComposer.press('Enter');
    await confirmed(alice, 'Second line.').waitFor({ timeout: WAIT });
    expect(await confirmed(alice, 'Second line.').getByTestId('message-content').textContent()).toBe(
      'Hi Alice!\nSecond line.',
    );

    // While Bob looks at another page, #general counts what he missed.
    await bob.getByTestId('nav-tasks').click();
    await bob.getByTestId('tasks-page').waitFor({ timeout: WAIT });
    await composer.pressSequentially('Are you there?');
    await composer.press('Enter');
    await waitForText(bob, 'unread-count', '1');
    await bob.locator('[data-testid="channel-item"][data-slug="general"]').click();
    await confirmed(bob, 'Are you there?').waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('unread-count').count()).toBe(0);

    // A reload keeps the whole conversation, in order, each message once.
    await bob.reload();
    await confirmed(bob, 'Are you there?').waitFor({ timeout: WAIT });
    const contents = await bob.getByTestId('message-content').allTextContents();
    expect(contents).toEqual([first, 'Hi Alice!\nSecond line.', 'Are you there?']);
    await waitForText(bob, 'connection-badge', 'Connected');
    expect(await badge(bob).getAttribute('data-status')).toBe('connected');

    mkdirSync(outDir, { recursive: true });
    await alice.screenshot({ path: join(outDir, 'chat.png') });
    expect(existsSync(join(outDir, 'chat.png'))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('after a dropped connection the view catches up with no gaps and no duplicates', async () => {
    const { server } = suite;
    // Carol's WebSocket runs through a switch: cut, every connection is dropped at once.
    const network = webSocketSwitch();
    const carol = await signUp('carol', network.install);
    await waitForText(carol, 'connection-badge', 'Connected');
    await confirmed(carol, 'Are you there?').waitFor({ timeout: WAIT });
    const before = await carol.getByTestId('message-content').allTextContents();

    await network.cut();
    await waitForText(carol, 'connection-badge', 'Reconnecting');

    // While Carol is cut off: others write, and Carol's own send still goes out over HTTP.
    const dave = await server.signup('dave');
    const api = server.client(dave.token).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    for (const n of [1, 2, 3]) await api.message.send.mutate({ channelId: general.id, content: `missed ${n}` });
    const composer = carol.getByTestId('composer');
    await composer.fill('sent while offline');
    await composer.press('Enter');
    await confirmed(carol, 'sent while offline').waitFor({ timeout: WAIT });

    network.restore();
    await waitForText(carol, 'connection-badge', 'Connected');
    await confirmed(carol, 'missed 3').waitFor({ timeout: WAIT });
    await api.message.send.mutate({ channelId: general.id, content: 'live again' });
    await confirmed(carol, 'live again').waitFor({ timeout: WAIT });

    // Carol's own message may sit before or among the missed ones (the server orders them); each appears once.
    const after = await carol.getByTestId('message-content').allTextContents();
    expect(after.slice(0, before.length)).toEqual(before);
    expect([...after.slice(before.length)].sort()).toEqual(
      ['live again', 'missed 1', 'missed 2', 'missed 3', 'sent while offline'].sort(),
    );
    expect(after.filter((t) => t.startsWith('missed'))).toEqual(['missed 1', 'missed 2', 'missed 3']);
    expect(after.at(-1)).toBe('live again');
  });

  it('an @assistant reply streams in and matches the stored text after a reload', async () => {
    const frank = await signUp('frank');
    const composer = frank.getByTestId('composer');
    await composer.fill('@assistant help');
    await composer.press('Enter');
    const reply = frank.locator('[data-testid="message"].role-assistant').last();
    await reply.waitFor({ timeout: WAIT });
    // Streaming ends when the stored message says so (no more cursor).
    await frank.locator('.role-assistant .cursor').waitFor({ state: 'detached', timeout: WAIT });
    const live = await reply.getByTestId('message-content').textContent();
    expect(live?.length).toBeGreaterThan(20);
    await frank.reload();
    await reply.waitFor({ timeout: WAIT });
    expect(await reply.getByTestId('message-content').textContent()).toBe(live);
  });

  it('new messages follow you at the bottom, hold still while you read above, and a pill counts them', async () => {
    const { server } = suite;
    const ida = await signUp('ida');
    await waitForText(ida, 'connection-badge', 'Connected');
    const henry = await server.signup('henry');
    const api = server.client(henry.token).api;
    const general = (await api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no #general');
    const post = (content: string) => api.message.send.mutate({ channelId: general.id, content });
    const paragraphs = Array.from({ length: 6 }, (_, i) => `paragraph ${i + 1}`).join('\n\n');
    for (let n = 1; n <= 12; n++) await post(`filler ${n}\n\n${paragraphs}`);
    await confirmed(ida, 'filler 12').waitFor({ timeout: WAIT });

    const scroller = ida.getByTestId('message-scroller');
    const fromEnd = () => scroller.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    const pill = ida.getByTestId('new-messages-pill');
    expect(await fromEnd()).toBeLessThan(48);

    // At the bottom: a new message scrolls into view, no pill.
    await post('followed');
    await confirmed(ida, 'followed').waitFor({ timeout: WAIT });
    await expect.poll(fromEnd, { timeout: WAIT }).toBeLessThan(48);
    expect(await pill.count()).toBe(0);

    // Reading above: the view holds still and the pill counts what came in.
    const readingAt = await scroller.evaluate((el) => {
      el.scrollTop = Math.round((el.scrollHeight - el.clientHeight) / 2);
      return el.scrollTop;
    });
    await post('while you read 1');
    await pill.filter({ hasText: '1 new message' }).waitFor({ timeout: WAIT });
    await post('while you read 2');
    await pill.filter({ hasText: '2 new messages' }).waitFor({ timeout: WAIT });
    expect(await scroller.evaluate((el) => el.scrollTop)).toBe(readingAt);

    // The pill takes you down and goes away.
    await pill.click();
    await expect.poll(fromEnd, { timeout: WAIT }).toBeLessThan(48);
    await pill.waitFor({ state: 'detached', timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });

  it('the owner archives a channel and brings it back: posting stops, then works again', async () => {
    const gina = await signUp('gina');
    const token = await sessionToken(gina);
    const created = await fetch(`${suite.server.url}/trpc/channel.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ slug: 'garden', name: 'Garden' }),
    });
    expect(created.status).toBe(200);
    // A fresh load, so the channel list has the new channel.
    await gina.goto(`${suite.server.url}/#/c/garden`);
    await gina.reload();
    gina.on('dialog', (dialog) => dialog.accept());
    await gina.getByRole('button', { name: 'Archive' }).click();
    await gina.getByTestId('composer-disabled').waitFor({ timeout: WAIT });
    await gina.getByRole('button', { name: 'Unarchive' }).click();
    const composer = gina.getByTestId('composer');
    await composer.waitFor({ timeout: WAIT });
    await composer.fill('the garden is open again');
    await composer.press('Enter');
    await confirmed(gina, 'the garden is open again').waitFor({ timeout: WAIT });
    expect(await gina.getByRole('button', { name: 'Archive' }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('a session the server ends shows the login screen with the reason', async () => {
    const { server } = suite;
    const erin = await signUp('erin');
    await waitForText(erin, 'connection-badge', 'Connected');
    // The token lives in the page's memory only; a script (here: the test) mints one from the cookie.
    await server.client(await sessionToken(erin)).api.auth.logoutAll.mutate();
    await erin.getByTestId('auth-form').waitFor({ timeout: WAIT });
    expect(await erin.getByRole('status').first().textContent()).toMatch(/every session of this account was ended/i);
    expect(await erin.evaluate(() => localStorage.getItem('hubbub.token'))).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
