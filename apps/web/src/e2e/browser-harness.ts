import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

/** The built web app the test server serves (HUBBUB_WEB_DIST overrides, e.g. for a build in another folder). */
export const webDir = process.env.HUBBUB_WEB_DIST ?? resolve(here, '../../dist');
/** Screenshots go here (gitignored). */
export const outDir = resolve(here, '../../test-output');

export function assertWebBuilt(): void {
  if (!existsSync(join(webDir, 'index.html'))) {
    throw new Error(`${webDir}/index.html is missing: run pnpm build first (pnpm --filter @hubbub/web build)`);
  }
}

/** Debian's Chromium, headless, with nothing reaching out to the network. Never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Signs up through the login screen and waits until #general is open. */
export async function signUpThroughUi(page: Page, url: string, handle: string, timeout = 15_000): Promise<void> {
  await page.goto(url);
  await page.getByTestId('auth-mode-signup').click();
  await page.getByTestId('auth-handle').fill(handle);
  await page.getByTestId('auth-password').fill('correct horse battery');
  await page.getByTestId('auth-submit').click();
  await page.locator('[data-testid="channel-item"][data-slug="general"][aria-current="page"]').waitFor({ timeout });
}

/**
 * A token for the page's session, minted from its HttpOnly cookie (the app
 * keeps its own token in memory only, out of reach of tests and scripts alike).
 */
export async function sessionToken(page: Page): Promise<string> {
  const body = await page.evaluate(async () => {
    const response = await fetch('/trpc/auth.refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    return (await response.json()) as { result?: { data?: { token?: unknown } } };
  });
  const token = body.result?.data?.token;
  if (typeof token !== 'string') throw new Error(`the page has no session: ${JSON.stringify(body)}`);
  return token;
}
