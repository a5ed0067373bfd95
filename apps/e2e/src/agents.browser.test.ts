import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

// A slow offline model (3 tokens every 150 ms) so the reply streams, and its agent thinks, for a few seconds.
const suite = useBrowserSuite({ assistant: { offlineTokenIntervalMs: 150 } });
const { pageErrors } = suite;

async function signUp(handle: string): Promise<Page> {
  const page = await suite.signUp(handle);
  await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
  return page;
}

describe('agents in a real browser', () => {
  it('an admin adds @reviewer; a member asks it and sees its streamed reply authored by Reviewer, and no admin controls', async () => {
    // The first account is the admin (the built-in @assistant does not count as one).
    const ada = await signUp('ada');
    await ada.getByTestId('nav-agents').click();
    const dialog = ada.getByTestId('agents-dialog');
    await dialog.locator('[data-testid="agent-row"][data-handle="assistant"]').waitFor({ timeout: WAIT });
    await dialog.getByTestId('agent-new').click();
    // The form says what is wrong before anything is sent.
    await dialog.getByTestId('agent-handle').fill('Not a handle!');
    await dialog.getByTestId('agent-save').click();
    await dialog.locator('.field-error').first().waitFor({ timeout: WAIT });
    await dialog.getByTestId('agent-handle').fill('reviewer');
    await dialog.getByTestId('agent-name').fill('Reviewer');
    await dialog.getByTestId('agent-instructions').fill('You review changes. Point out one risk.');
    await dialog.getByTestId('agent-tool-read_channel').check();
    await dialog.getByTestId('agent-save').click();
    await dialog.locator('[data-testid="agent-row"][data-handle="reviewer"]', { hasText: 'Reviewer' }).waitFor({
      timeout: WAIT,
    });

    const bob = await signUp('bob');
    expect(await bob.getByTestId('nav-agents').count()).toBe(0);
    expect(await bob.getByTestId('agents-dialog').count()).toBe(0);

    // Typing "@rev" offers the agent; Tab takes it.
    const composer = bob.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('@rev');
    await bob.locator('[data-testid="mention-option"]', { hasText: 'Reviewer' }).waitFor({ timeout: WAIT });
    await composer.press('Tab');
    expect(await composer.inputValue()).toBe('@reviewer ');
    await composer.pressSequentially('help');
    await composer.press('Enter');

    const reply = bob.locator('[data-testid="message"].role-assistant').last();
    await reply.waitFor({ timeout: WAIT });
    expect(await reply.getByTestId('message-author').textContent()).toBe('Reviewer');
    // While it writes, the status line says so; the reply streams, then completes.
    await bob.locator('[data-testid="typing-indicator"]', { hasText: '@reviewer is thinking…' }).waitFor({
      timeout: WAIT,
    });
    await bob.locator('[data-testid="message"].role-assistant[data-status="streaming"]').waitFor({ timeout: WAIT });
    await bob.locator('[data-testid="message"].role-assistant[data-status="complete"]').waitFor({ timeout: 30_000 });
    await bob.locator('[data-testid="typing-indicator"]', { hasText: 'thinking' }).waitFor({
      state: 'detached',
      timeout: WAIT,
    });
    expect(((await reply.getByTestId('message-content').textContent()) ?? '').length).toBeGreaterThan(0);

    // The reply's author opens the agent's card (tagged agent); Message opens a direct conversation with it,
    // listed under Agents (a conversation with an agent alone), where every message is answered without a mention.
    await reply.getByTestId('message-author').click();
    const card = bob.getByTestId('profile-card');
    expect(await card.getByTestId('profile-role').textContent()).toBe('agent');
    await card.getByTestId('profile-message').click();
    await bob
      .locator('[data-testid="session-group"][data-agents="Reviewer"] [data-testid="agent-session"]')
      .waitFor({ timeout: WAIT });
    await composer.fill('hello');
    await composer.press('Enter');
    const direct = bob.locator('[data-testid="message"].role-assistant[data-status="complete"]');
    await direct.waitFor({ timeout: 30_000 });
    expect(await direct.getByTestId('message-author').textContent()).toBe('Reviewer');
    expect(pageErrors).toEqual([]);
    await ada.context().close();
    await bob.context().close();
  });
});
