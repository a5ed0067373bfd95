import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tiny "built web app" (index.html and one hashed asset), so the static handler is really in play. */
export function fakeWebApp(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Hubbub</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log("app")');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
