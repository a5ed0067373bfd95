/**
 * A network whose proxy refuses WebSocket upgrades: the page falls back to
 * HTTP by itself (calls over fetch, live updates over Server-Sent Events
 * signed in by the session cookie) and everything keeps working live.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signUpThroughUi, useBrowserSuite } from './browser-harness';

const WAIT = 20_000;

const suite = useBrowserSuite();
const { pageErrors } = suite;

/** A browser context behind a "proxy" that refuses every WebSocket (while `blocked` says so). */
async function behindProxy(handle: string, proxy: { blocked: boolean; refused: number }): Promise<Page> {
  const page = await suite.newPage(handle, {
    prepare: (context) =>
      context.routeWebSocket(/\/ws(\?|$)/, (ws) => {
        if (!proxy.blocked) return void ws.connectToServer();
        proxy.refused++;
        // A mocked socket opens at once; the "proxy" drops it as soon as the page speaks, before the server said
        // a word: to the page, a socket that never got through (as with a refused upgrade, or a proxy that
        // accepts one and then drops every frame).
        ws.onMessage(() => void ws.close({ code: 4000, reason: 'test: the proxy drops WebSockets' }));
      }),
  });
  await signUpThroughUi(page, suite.server.url, handle, WAIT);
  return page;
}

const badge = (page: Page) => page.getByTestId('connection-badge');
const confirmed = (page: Page, text: string) =>
  page.locator('[data-testid="message"]:not([data-pending])', { hasText: text });

async function waitForText(page: Page, testId: string, text: string, timeout = WAIT) {
  await page.locator(`[data-testid="${testId}"]`, { hasText: text }).waitFor({ timeout });
}

async function send(page: Page, text: string) {
  const composer = page.getByTestId('composer');
  await composer.fill(text);
  await composer.press('Enter');
}

describe('when a proxy blocks WebSockets', () => {
  it('two people chat live over HTTP, the badge says Live (HTTP), and a reload keeps working', async () => {
    const { server } = suite;
    const proxy = { blocked: true, refused: 0 };
    const alice = await behindProxy('alice', proxy);
    const bob = await behindProxy('bob', proxy);

    await waitForText(alice, 'connection-badge', 'Live (HTTP)');
    await waitForText(bob, 'connection-badge', 'Live (HTTP)');
    expect(await badge(alice).getAttribute('data-transport')).toBe('http');
    expect(await badge(alice).getAttribute('data-status')).toBe('connected');
    // Each page tried the socket a few times before it fell back; none ever reached the server.
    expect(proxy.refused).toBeGreaterThanOrEqual(2 * 3);
    expect(server.hubbub.wss.clients.size).toBe(0);

    // Presence over the stream: both show as online.
    await alice.locator('[data-testid="member"][data-online="true"]').nth(1).waitFor({ timeout: WAIT });

    // Typing, then the message, then an answer: all live, each once.
    const composer = alice.getByTestId('composer');
    await composer.click();
    await composer.pressSequentially('Hello Bob, over HTTP');
    await waitForText(bob, 'typing-indicator', 'alice is typing');
    await composer.press('Enter');
    await confirmed(bob, 'Hello Bob, over HTTP').waitFor({ timeout: WAIT });
    await send(bob, 'Hi Alice, no socket here either');
    await confirmed(alice, 'Hi Alice, no socket here either').waitFor({ timeout: WAIT });
    expect(await alice.locator('[data-testid="message"]', { hasText: 'Hello Bob, over HTTP' }).count()).toBe(1);

    // The assistant's reply streams in token by token (message.delta over SSE) and ends as stored.
    await send(alice, '@assistant help');
    const reply = bob.locator('[data-testid="message"].role-assistant').last();
    await reply.waitFor({ timeout: WAIT });
    await bob.locator('.role-assistant .cursor').waitFor({ state: 'detached', timeout: WAIT });
    expect((await reply.getByTestId('message-content').textContent())?.length).toBeGreaterThan(20);

    // The task dashboard follows its stream too.
    await bob.getByTestId('nav-tasks').click();
    await bob.getByTestId('tasks-page').waitFor({ timeout: WAIT });
    const { token } = await server.signup('carol');
    await server.client(token, { transport: 'http' }).api.task.create.mutate({ title: 'Sort the fallback mail' });
    await bob.locator('[data-testid="task-row"]', { hasText: 'Sort the fallback mail' }).waitFor({ timeout: WAIT });

    // A reload starts on HTTP at once (the page remembers), keeps the conversation, and stays live.
    await bob.locator('[data-testid="channel-item"][data-slug="general"]').click();
    await bob.reload();
    await confirmed(bob, 'Hi Alice, no socket here either').waitFor({ timeout: WAIT });
    await waitForText(bob, 'connection-badge', 'Live (HTTP)');
    await send(alice, 'still live after your reload?');
    await confirmed(bob, 'still live after your reload?').waitFor({ timeout: WAIT });
    expect(server.hubbub.wss.clients.size).toBe(0);

    // The proxy lets sockets through again: after a reload the page moves back to the WebSocket by itself.
    proxy.blocked = false;
    await alice.reload();
    await waitForText(alice, 'connection-badge', 'Connected', 40_000);
    expect(await badge(alice).getAttribute('data-transport')).toBe('ws');
    await send(bob, 'and back on the socket');
    await confirmed(alice, 'and back on the socket').waitFor({ timeout: WAIT });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
