/**
 * The built web app under Hubbub's Content-Security-Policy: signing up,
 * chatting over the WebSocket, Markdown, a streamed assistant reply and the
 * task dashboard all work with no CSP violation and no console error, and the
 * headers are there.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpThroughUi, useBrowserSuite } from './browser-harness';

const WAIT = 15_000;

const suite = useBrowserSuite({ assistant: { offlineTokenIntervalMs: 2 } });

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** Collects CSP violations from the page's very first script on (before the app runs). */
async function watchedPage(): Promise<{ page: Page; violations(): Promise<Violation[]>; consoleErrors: string[] }> {
  const page = await suite.newPage('csp', {
    prepare: (context) =>
      context.addInitScript(() => {
        const seen: { directive: string; blocked: string; sample: string }[] = [];
        (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
        document.addEventListener(
          'securitypolicyviolation',
          (e) => seen.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
          true,
        );
      }),
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  const violations = () =>
    page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations ?? []);
  return { page, violations, consoleErrors };
}

describe('the web app under the Content-Security-Policy', () => {
  it('sign-up, live chat over the WebSocket, Markdown, an assistant reply and the tasks page: no violation, no console error', async () => {
    const { server } = suite;
    const { page, violations, consoleErrors } = await watchedPage();
    const documents: Record<string, string>[] = [];
    const assets: Record<string, string>[] = [];
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (type === 'document') documents.push(response.headers());
      if (type === 'script' || type === 'stylesheet') assets.push(response.headers());
    });

    await signUpThroughUi(page, server.url, 'csp-alice', WAIT);
    // connect-src 'self' lets the page open its same-origin ws:// socket.
    await page.locator('[data-testid="connection-badge"][data-status="connected"]').waitFor({ timeout: WAIT });

    const composer = page.getByTestId('composer');
    await composer.fill('CSP check: **bold**, `code` and\n```js\nconst ok = true;\n```');
    await composer.press('Enter');
    const sent = page.locator('[data-testid="message"]:not([data-pending])', { hasText: 'CSP check' });
    await sent.waitFor({ timeout: WAIT });
    expect(await sent.locator('strong').textContent()).toBe('bold');

    await composer.fill('@assistant help');
    await composer.press('Enter');
    await page.locator('[data-testid="message"].role-assistant[data-status="complete"]').waitFor({ timeout: WAIT });
    // The task dashboard too.
    await page.getByTestId('nav-tasks').click();
    await page.getByTestId('tasks-page').waitFor({ timeout: WAIT });

    expect(await violations()).toEqual([]);
    expect(consoleErrors).toEqual([]);

    // The sign-in page's inline first-page script ran (it marks the form usable), allowed by its hash alone.
    expect(await page.evaluate(() => performance.getEntriesByName('hubbub:form-usable').length)).toBe(1);
    for (const headers of documents) {
      expect(headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[\w+/]+={0,2}'(;|$)/);
      expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    }

    expect(documents.length).toBeGreaterThan(0);
    expect(assets.length).toBeGreaterThan(0);
    for (const headers of [...documents, ...assets]) {
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['content-security-policy']).toContain("connect-src 'self'");
      expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(headers['x-frame-options']).toBe('DENY');
    }
  });

  it('the policy is enforced: an inline script injected into the page is blocked and reported', async () => {
    const { server } = suite;
    const { page, violations } = await watchedPage();
    await page.goto(server.url);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.body.append(script);
    });
    await expect.poll(async () => (await violations()).map((v) => v.directive)).toContain('script-src-elem');
    expect(await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  });
});
