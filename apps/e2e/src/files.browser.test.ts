import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpThroughUi, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** A page that records Content-Security-Policy violations (a blob: image the policy refused would show here). */
async function signUp(handle: string): Promise<Page> {
  const page = await suite.newPage(handle, {
    prepare: (context) =>
      context.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
        document.addEventListener(
          'securitypolicyviolation',
          (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`),
          true,
        );
      }),
  });
  await signUpThroughUi(page, suite.server.url, handle, WAIT);
  await page.locator('[data-testid="connection-badge"]', { hasText: 'Connected' }).waitFor({ timeout: WAIT });
  return page;
}

const cspViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

/**
 * Pastes a screenshot into the composer the way a browser does: a paste event
 * whose clipboard holds a PNG file (real PNG bytes, drawn on a canvas here).
 */
async function pasteScreenshot(page: Page, size: { width: number; height: number }): Promise<void> {
  await page.evaluate(async ({ width, height }) => {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const draw = canvas.getContext('2d');
    if (!draw) throw new Error('no 2d context');
    draw.fillStyle = '#1d6fb8';
    draw.fillRect(0, 0, width, height);
    draw.fillStyle = '#ffd400';
    draw.fillRect(width / 4, height / 4, width / 2, height / 2);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('no PNG');
    const clipboard = new DataTransfer();
    clipboard.items.add(new File([blob], 'image.png', { type: 'image/png' }));
    const composer = document.querySelector('[data-testid="composer"]');
    if (!composer) throw new Error('no composer');
    composer.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
  }, size);
}

/** The picture in the message with `text`, once it has loaded: its natural size. */
async function shownImage(page: Page, text: string) {
  const image = page
    .locator('[data-testid="message"]:not([data-pending])', { hasText: text })
    .locator('[data-testid="attachment-image"]');
  await image.waitFor({ timeout: WAIT });
  await page.waitForFunction(
    (element) => element instanceof HTMLImageElement && element.complete && element.naturalWidth > 0,
    await image.elementHandle(),
    { timeout: WAIT },
  );
  return image.evaluate((element) => {
    const img = element as HTMLImageElement;
    return { naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, src: img.src };
  });
}

describe('files in a real browser', () => {
  it('Ada pastes a screenshot and sends it; Bob sees the picture live, and opens it full size', async () => {
    const ada = await signUp('ada');
    const bob = await signUp('bob');

    const composer = ada.getByTestId('composer');
    await composer.click();
    await pasteScreenshot(ada, { width: 400, height: 300 });
    // The chip shows the upload, then that it is done; the text goes with it.
    const chip = ada.getByTestId('upload-chip');
    await chip.waitFor({ timeout: WAIT });
    expect(await chip.textContent()).toContain('Pasted image');
    await ada.locator('[data-testid="upload-chip"][data-status="done"]').waitFor({ timeout: WAIT });
    await composer.pressSequentially('Look at this');
    await composer.press('Enter');
    await chip.waitFor({ state: 'detached', timeout: WAIT });

    // Bob gets it live: the thumbnail, decoded (400×300 fits the 640 px thumbnail as it is).
    const seen = await shownImage(bob, 'Look at this');
    expect([seen.naturalWidth, seen.naturalHeight]).toEqual([400, 300]);
    // An object URL of the bytes fetched with his token: the file's URL alone would be refused.
    expect(seen.src).toMatch(/^blob:/);
    expect((await shownImage(ada, 'Look at this')).naturalWidth).toBe(400);

    // A click opens the full picture; Escape closes it.
    await bob.locator('[data-testid="attachment-image"]').click();
    const viewer = bob.getByTestId('image-viewer');
    await viewer.locator('img').waitFor({ timeout: WAIT });
    await bob.waitForFunction(
      () =>
        (document.querySelector('[data-testid="image-viewer"] img') as HTMLImageElement | null)?.naturalWidth === 400,
      undefined,
      { timeout: WAIT },
    );
    await bob.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached', timeout: WAIT });

    expect(await cspViolations(ada)).toEqual([]);
    expect(await cspViolations(bob)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('a file picked or dropped arrives as a download card; one past the size limit is refused with a reason', async () => {
    const ada = await signUp('cara');
    const bob = await signUp('dan');
    await ada.getByTestId('attach-input').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Agenda: ship on Friday\n'),
    });
    await ada.locator('[data-testid="upload-chip"][data-status="done"]').waitFor({ timeout: WAIT });
    // Files alone: no words needed.
    await ada.getByRole('button', { name: 'Send' }).click();
    const card = bob.getByTestId('file-card');
    await card.waitFor({ timeout: WAIT });
    expect(await card.textContent()).toContain('notes.txt');
    expect(await card.textContent()).toContain('23 bytes · Text');
    const download = bob.waitForEvent('download', { timeout: WAIT });
    await card.click();
    expect((await download).suggestedFilename()).toBe('notes.txt');

    // Dropped on the conversation: attached the same way.
    await ada.evaluate(() => {
      const dragged = new DataTransfer();
      dragged.items.add(new File(['minutes of the meeting'], 'minutes.txt', { type: 'text/plain' }));
      const conversation = document.querySelector('.conversation');
      if (!conversation) throw new Error('no conversation');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        conversation.dispatchEvent(new DragEvent(type, { dataTransfer: dragged, bubbles: true, cancelable: true }));
      }
    });
    await ada
      .locator('[data-testid="upload-chip"][data-status="done"]', { hasText: 'minutes.txt' })
      .waitFor({ timeout: WAIT });
    await ada.getByRole('button', { name: 'Send' }).click();
    await bob.getByTestId('file-card').filter({ hasText: 'minutes.txt' }).waitFor({ timeout: WAIT });

    await ada.getByTestId('attach-input').setInputFiles({
      name: 'huge.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(10 * 1024 * 1024 + 1, 7),
    });
    const refused = ada.locator('[data-testid="upload-chip"][data-status="failed"]');
    await refused.waitFor({ timeout: WAIT });
    expect(await refused.textContent()).toMatch(/too large/);
    expect(pageErrors).toEqual([]);
  });
});
