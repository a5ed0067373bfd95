import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { rawSocket } from './test/raw-socket';
import { recordChannel } from './test/stream';

let server: TestServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'hubbub-life-'));
  dirs.push(dir);
  return dir;
}

describe('server lifecycle', () => {
  it('keeps every message and every token across a restart on the same data dir', async () => {
    const dataDir = tempDir();
    const first = await startTestServer({ dataDir });
    const { token } = await first.signup('alice');
    const a = first.client(token);
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    for (let i = 1; i <= 5; i++) await a.api.message.send.mutate({ channelId: general.id, content: `before ${i}` });
    const before = await a.api.message.history.query({ channelId: general.id });
    await first.stop({ keepData: true });

    server = await startTestServer({ dataDir });
    const again = server.client(token);
    expect((await again.api.auth.me.query()).handle).toBe('alice');
    const after = await again.api.message.history.query({ channelId: general.id });
    expect(after.items).toEqual(before.items);
    // Same epoch: a client resuming from before the restart gets exactly what came after.
    expect(after.eventId).toBe(before.eventId);
    const resumed = recordChannel(again, general.id, before.eventId);
    await again.api.message.send.mutate({ channelId: general.id, content: 'after restart' });
    await resumed.until((e) => e.some((x) => x.data.type === 'message.created'));
    expect(resumed.changes().map((e) => (e.data.message as { content: string }).content)).toEqual(['after restart']);
  });

  it('tells clients to reconnect on shutdown, then closes', async () => {
    server = await startTestServer();
    const { token } = await server.signup('alice');
    const socket = await rawSocket(`${server.wsUrl}?token=${token}`);
    const stopping = server.stop();
    server = undefined;
    const notice = await socket.frame((f) => f.method === 'reconnect');
    expect(notice).toEqual({ id: null, method: 'reconnect' });
    expect((await socket.closed).code).toBe(1012);
    await stopping;
  });

  it('refuses WebSocket upgrades from foreign origins, allows same-origin and listed ones', async () => {
    server = await startTestServer({ allowedOrigins: ['https://app.example.com'] });
    const host = `127.0.0.1:${server.port}`;
    await expect(rawSocket(server.wsUrl, { origin: 'https://evil.example.net' })).rejects.toThrow(/403/);
    const same = await rawSocket(server.wsUrl, { origin: `http://${host}` });
    const listed = await rawSocket(server.wsUrl, { origin: 'https://app.example.com' });
    const scripted = await rawSocket(server.wsUrl);
    for (const s of [same, listed, scripted]) s.ws.close();
    await expect(rawSocket(`ws://${host}/elsewhere`)).rejects.toThrow(/404/);
  });

  it('serves health, readiness, status, metrics and the web app', async () => {
    const webDir = tempDir();
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Hubbub</title>');
    writeFileSync(join(webDir, 'assets', 'app-1234.js'), 'console.log(1)');
    server = await startTestServer({ webDir });
    const { token } = await server.signup('alice');
    const a = server.client(token);
    const general = (await a.api.channel.list.query()).items.find((c) => c.slug === 'general');
    if (!general) throw new Error('no general');
    const live = recordChannel(a, general.id);
    await live.until((e) => e.length > 0);

    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ ready: true });
    // Operator data is for admins (alice signed up first) and the metrics token: see security/metrics-access.
    const asAdmin = { headers: { authorization: `Bearer ${token}` } };
    const status = (await (await fetch(`${server.url}/api/status`, asAdmin)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ connections: 1, subscriptions: 1, channels: 1, store: 'sqlite', bus: 'memory' });
    expect(await a.api.system.status.query()).toMatchObject({ connections: 1, subscriptions: 1 });
    const metrics = await (await fetch(`${server.url}/metrics`, asAdmin)).text();
    expect(metrics).toMatch(/^hubbub_ws_connections 1$/m);
    expect(metrics).toMatch(/^hubbub_subscriptions 1$/m);

    const page = await fetch(`${server.url}/c/general`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<title>Hubbub</title>');
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    const traversal = await fetch(`${server.url}/..%2f..%2fpackage.json`);
    expect(await traversal.text()).toContain('<title>Hubbub</title>');
  });
});
