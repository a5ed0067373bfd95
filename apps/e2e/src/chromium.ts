import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

// Shared by the browser tests and the measuring programs (which run outside vitest).

const here = dirname(fileURLToPath(import.meta.url));
const webPackage = createRequire(import.meta.url).resolve('@hubbub/web/package.json');

/** The built web app the test server serves (HUBBUB_WEB_DIST overrides, e.g. for a build in another folder). */
export const webDir = process.env.HUBBUB_WEB_DIST ?? join(dirname(webPackage), 'dist');
/** Screenshots go here (gitignored). */
export const outDir = resolve(here, '../test-output');

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
