import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { outDir, sessionToken, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

const signUp = (handle: string) => suite.signUp(handle);

const channelItem = (page: Page, slug: string) => page.locator(`[data-testid="channel-item"][data-slug="${slug}"]`);
const directItem = (page: Page, name: string) => page.locator(`[data-testid="direct-item"][data-name="${name}"]`);
const member = (page: Page, handle: string) => page.locator(`[data-testid="member"][data-handle="${handle}"]`);
const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });
/** For a look at the result (test-output/, gitignored). */
const screenshot = (page: Page, name: string) => page.screenshot({ path: join(outDir, `people-${name}.png`) });
const focusedTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

async function send(page: Page, text: string) {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
  await confirmed(page, text).waitFor({ timeout: WAIT });
}

describe('people: private channels, direct messages, profile cards and moderation', () => {
  // The first person to sign up is the admin.
  let ada: Page;
  let bob: Page;
  beforeAll(() => {
    mkdirSync(outDir, { recursive: true });
  });

  it('Ada creates a private channel and adds Bob with Add people; Bob finds it in his sidebar and posts', async () => {
    ada = await signUp('ada');
    bob = await signUp('bob');

    // A private channel through the New channel dialog.
    await ada.getByTestId('new-channel-button').click();
    await ada.getByTestId('new-channel-name').fill('Secret plans');
    await ada.locator('input[name="visibility"]').nth(1).check();
    await ada.getByTestId('new-channel-form').locator('button[type="submit"]').click();
    await channelItem(ada, 'secret-plans').and(ada.locator('[aria-current="page"]')).waitFor({ timeout: WAIT });
    expect(await ada.getByTestId('channel-title').textContent()).toBe('secret-plans');

    // Add people: the search field has the focus; Ada is in already, so only Bob is offered.
    await ada.getByTestId('add-people').click();
    const dialog = ada.getByTestId('add-people-dialog');
    const search = dialog.getByTestId('people-search');
    await dialog.locator('[data-testid="people-option"][data-handle="bob"]').waitFor({ timeout: WAIT });
    expect(await focusedTestId(ada)).toBe('people-search');
    expect(await dialog.locator('[data-testid="people-option"][data-handle="ada"]').count()).toBe(0);

    // Nobody found says so; the first Escape clears the search and leaves the dialog open.
    await search.pressSequentially('zz');
    await dialog.getByRole('status').filter({ hasText: 'Nobody found for “zz”' }).waitFor({ timeout: WAIT });
    await search.press('Escape');
    expect(await search.inputValue()).toBe('');
    expect(await dialog.isVisible()).toBe(true);

    // Keyboard only: type, arrow to him, Enter makes a chip (and does not submit).
    await search.pressSequentially('bo');
    await dialog.locator('[data-testid="people-option"][data-handle="bob"]').waitFor({ timeout: WAIT });
    await search.press('ArrowDown');
    expect(await search.getAttribute('aria-activedescendant')).toBeTruthy();
    await search.press('Enter');
    await dialog.locator('[data-testid="people-chosen"] [data-handle="bob"]').waitFor({ timeout: WAIT });
    expect(await search.inputValue()).toBe('');
    expect(await dialog.isVisible()).toBe(true);
    await screenshot(ada, 'add-people');
    await dialog.getByTestId('people-dialog-submit').click();
    await dialog.waitFor({ state: 'hidden', timeout: WAIT });
    await member(ada, 'bob').waitFor({ timeout: WAIT });

    // Bob is told live (the user stream): the channel appears without a reload.
    await channelItem(bob, 'secret-plans').waitFor({ timeout: WAIT });
    await channelItem(bob, 'secret-plans').click();
    await bob.getByTestId('channel-title').filter({ hasText: 'secret-plans' }).waitFor({ timeout: WAIT });
    await send(bob, 'Bob here, reading along');
    await confirmed(ada, 'Bob here, reading along').waitFor({ timeout: WAIT });

    // Bob is neither the owner nor an admin: no Remove buttons for him.
    await member(bob, 'ada').waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('member-remove').count()).toBe(0);
    // Ada (owner and admin) has one, for Bob only.
    expect(await ada.getByTestId('member-remove').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('Ada opens Bob’s profile card, messages him; Bob finds the conversation under Direct messages', async () => {
    // The card opens from the member list and closes with Escape, focus back on the name.
    const bobInList = member(ada, 'bob').getByTestId('member-person');
    await bobInList.click();
    const card = ada.getByTestId('profile-card');
    await card.waitFor({ timeout: WAIT });
    expect(await card.locator('h2').textContent()).toBe('bob');
    expect(await card.textContent()).toContain('@bob');
    await card.getByTestId('profile-role').filter({ hasText: 'member' }).waitFor({ timeout: WAIT });
    expect(await focusedTestId(ada)).toBe('profile-message');
    await screenshot(ada, 'profile-card');
    await ada.keyboard.press('Escape');
    await card.waitFor({ state: 'detached', timeout: WAIT });
    expect(await focusedTestId(ada)).toBe('member-person');

    // Message: the direct conversation opens, named after Bob, with no channel actions.
    await bobInList.click();
    await card.getByTestId('profile-message').click();
    await directItem(ada, 'bob').locator('[aria-current="page"]').waitFor({ timeout: WAIT });
    expect(await ada.getByTestId('channel-title').textContent()).toBe('bob');
    expect(await ada.getByTestId('add-people').count()).toBe(0);
    expect(await ada.getByRole('button', { name: 'Leave' }).count()).toBe(0);
    await send(ada, 'Just between us, Bob');

    // Bob: the conversation appears live under Direct messages, named after Ada; not among the channels.
    await directItem(bob, 'ada').waitFor({ timeout: WAIT });
    expect(await bob.locator('section[aria-labelledby="joined-heading"] [data-slug^="dm-"]').count()).toBe(0);
    expect(await bob.locator('section[aria-labelledby="browse-heading"] [data-slug^="dm-"]').count()).toBe(0);
    await directItem(bob, 'ada').getByRole('link').click();
    await confirmed(bob, 'Just between us, Bob').waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('channel-title').textContent()).toBe('ada');
    await screenshot(bob, 'direct-message');

    // A message author opens a card too: Ada's says she is the admin; his own card has no Message button.
    await confirmed(bob, 'Just between us, Bob').getByTestId('message-author').click();
    const adaCard = bob.getByTestId('profile-card');
    await adaCard.getByTestId('profile-role').filter({ hasText: 'admin' }).waitFor({ timeout: WAIT });
    await bob.keyboard.press('Escape');
    await adaCard.waitFor({ state: 'detached', timeout: WAIT });
    await send(bob, 'Got it, Ada');
    await confirmed(bob, 'Got it, Ada').getByTestId('message-author').click();
    await bob.getByTestId('profile-card').filter({ hasText: 'This is you.' }).waitFor({ timeout: WAIT });
    expect(await bob.getByTestId('profile-message').count()).toBe(0);
    await bob.keyboard.press('Escape');
    await confirmed(ada, 'Got it, Ada').waitFor({ timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });

  it('an admin deletes a member’s message and removes the member, who loses the channel', async () => {
    const cyril = await signUp('cyril');
    // Bob's private channel with Ada (the admin, not its owner) and Cyril in it, made through the API.
    const api = suite.server.client(await sessionToken(bob)).api;
    const den = await api.channel.create.mutate({ slug: 'den', name: 'Den', visibility: 'private' });
    const people = await api.user.list.query({});
    const ids = people.filter((p) => p.handle === 'ada' || p.handle === 'cyril').map((p) => p.id);
    await api.channel.invite.mutate({ channelId: den.id, userIds: ids });

    await channelItem(cyril, 'den').click({ timeout: WAIT });
    await send(cyril, 'cyril was here');
    await channelItem(ada, 'den').click({ timeout: WAIT });
    const message = confirmed(ada, 'cyril was here');
    await message.waitFor({ timeout: WAIT });

    // Delete on someone else's message, for the admin, after a confirmation.
    await message.hover();
    await message.getByTestId('message-delete').click();
    await message.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirmed(cyril, 'cyril was here').waitFor({ state: 'detached', timeout: WAIT });
    await message.waitFor({ state: 'detached', timeout: WAIT });

    // Remove, after a confirmation: Cyril's sidebar loses the channel.
    await member(ada, 'cyril').getByTestId('member-remove').click();
    expect(await focusedTestId(ada)).toBe('member-remove-confirm');
    await screenshot(ada, 'remove-member');
    await ada.getByTestId('member-remove-confirm').click();
    await member(ada, 'cyril').waitFor({ state: 'detached', timeout: WAIT });
    await channelItem(cyril, 'den').waitFor({ state: 'detached', timeout: WAIT });
    expect(pageErrors).toEqual([]);
  });
});
