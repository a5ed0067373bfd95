import { describe, expect, it } from 'vitest';
import { useBrowserSuite } from './browser-harness';

const WAIT = 15_000;
const suite = useBrowserSuite();

describe('channel settings in a real browser', () => {
  it('an admin renames #general and sets its topic; a member sees both live and has no Edit', async () => {
    const ada = await suite.signUp('ada');
    const bob = await suite.signUp('bob');
    for (const page of [ada, bob]) {
      await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
    }
    expect(await bob.getByTestId('edit-channel').count()).toBe(0);

    await ada.getByTestId('edit-channel').click();
    const dialog = ada.getByTestId('edit-channel-dialog');
    await dialog.getByTestId('edit-channel-name').fill('');
    await dialog.getByTestId('edit-channel-save').click();
    await dialog.getByText('Required.').waitFor({ timeout: WAIT });

    await dialog.getByTestId('edit-channel-name').fill('Everyone');
    await dialog.getByTestId('edit-channel-topic').fill('Say hi and read the pinned notes');
    await dialog.getByTestId('edit-channel-topic').press('Enter');
    await dialog.waitFor({ state: 'hidden', timeout: WAIT });

    // The header shows the topic (the name when there is none), on Bob's page without a reload.
    await bob.locator('.channel-topic', { hasText: 'Say hi and read the pinned notes' }).waitFor({ timeout: WAIT });
    await ada.getByTestId('edit-channel').click();
    await dialog.getByTestId('edit-channel-topic').fill('');
    await dialog.getByTestId('edit-channel-save').click();
    await bob.locator('.channel-topic', { hasText: /^Everyone$/ }).waitFor({ timeout: WAIT });
    expect(suite.pageErrors).toEqual([]);
  });
});
