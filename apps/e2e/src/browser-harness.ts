import { startTestServer, type TestServer, type TestServerOptions } from '@hubbub/server/test/harness';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { assertWebBuilt, launchChromium, webDir } from './chromium';

export { assertWebBuilt, launchChromium, outDir, webDir } from './chromium';

/** A value made in a beforeAll hook: reading it before then, or after that hook failed, throws. */
function setUpLater<T>(what: string) {
  let value: T | undefined;
  return {
    get: (): T => {
      if (value === undefined) throw new Error(`setup failed: no ${what}`);
      return value;
    },
    set: (made: T) => {
      value = made;
    },
    peek: () => value,
  };
}

/**
 * A real Hubbub serving the built web app, started before the tests of the
 * file (or of the describe block this is called in) and stopped after them.
 */
export function useWebServer(options: Omit<TestServerOptions, 'webDir'> = {}): { readonly server: TestServer } {
  const server = setUpLater<TestServer>('server');
  beforeAll(async () => {
    assertWebBuilt();
    server.set(await startTestServer({ ...options, webDir }));
  });
  afterAll(async () => {
    await server.peek()?.stop();
  });
  return {
    get server() {
      return server.get();
    },
  };
}

export interface BrowserSuite {
  /** The file's server (see useWebServer). */
  readonly server: TestServer;
  readonly browser: Browser;
  /** Errors thrown in the pages `newPage` opened, each after its page's name: a test expects none. */
  readonly pageErrors: string[];
  /** A page in a fresh browser context (its own cookies and storage); `prepare` runs on the context first. */
  newPage(
    name: string,
    options?: { viewport?: { width: number; height: number }; prepare?: (context: BrowserContext) => Promise<unknown> },
  ): Promise<Page>;
  /** `newPage`, then a new account signed up through the UI, landed in #general. */
  signUp(
    handle: string,
    options?: { viewport?: { width: number; height: number }; prepare?: (context: BrowserContext) => Promise<unknown> },
  ): Promise<Page>;
}

/** The setup every browser test file shares: a server (see useWebServer) and Debian's Chromium. */
export function useBrowserSuite(options: Omit<TestServerOptions, 'webDir'> = {}): BrowserSuite {
  const web = useWebServer(options);
  const browser = setUpLater<Browser>('browser');
  const pageErrors: string[] = [];
  beforeAll(async () => {
    browser.set(await launchChromium());
  });
  afterAll(async () => {
    await browser.peek()?.close();
  });
  return {
    get server() {
      return web.server;
    },
    get browser() {
      return browser.get();
    },
    pageErrors,
    async newPage(name, { viewport = { width: 1280, height: 800 }, prepare } = {}) {
      const context = await browser.get().newContext({ viewport });
      await prepare?.(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
      return page;
    },
    async signUp(handle, options) {
      const page = await this.newPage(handle, options);
      await signUpThroughUi(page, web.server.url, handle);
      return page;
    },
  };
}

/**
 * A switch on a browser context's WebSocket to the server: `cut` drops every
 * open socket and refuses new ones until `restore` (a mocked socket opens at
 * once, so a refused one is dropped as soon as the page speaks on it).
 */
export function webSocketSwitch() {
  let blocked = false;
  const live: { close(): Promise<void> }[] = [];
  const down = { code: 4000, reason: 'test: network down' };
  return {
    install: (context: BrowserContext) =>
      context.routeWebSocket(/\/ws(\?|$)/, (ws) => {
        if (blocked) {
          ws.onMessage(() => void ws.close(down));
          return;
        }
        ws.connectToServer();
        live.push({ close: () => ws.close(down) });
      }),
    async cut(): Promise<void> {
      blocked = true;
      await Promise.all(live.splice(0).map((ws) => ws.close()));
    },
    restore(): void {
      blocked = false;
    },
  };
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
