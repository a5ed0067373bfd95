/**
 * Attack class: information disclosure. /metrics, /api/status and
 * system.status (host name, pid, load) are for the metrics token and admins;
 * /healthz and /readyz stay open, and /readyz says nothing about the backend.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/harness';

const METRICS_TOKEN = 'scraper-token-0123456789abcdef';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const OPS = ['/metrics', '/api/status'];
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('operator endpoints', () => {
  it('refuse anyone without the metrics token or an admin token: 401 with a short JSON reason', async () => {
    server = await startTestServer({ metricsToken: METRICS_TOKEN });
    await server.signup('admin');
    const member = await server.signup('member');
    for (const path of OPS) {
      for (const init of [undefined, bearer('wrong-token'), bearer(member.token), bearer(`${METRICS_TOKEN}x`)]) {
        const res = await fetch(`${server.url}${path}`, init);
        expect(res.status, path).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        const body = (await res.json()) as { error: string; reason: string };
        expect(body.error).toBe('unauthorized');
        expect(body.reason.length).toBeLessThan(100);
        expect(JSON.stringify(body)).not.toMatch(/instance|uptime|connections/);
      }
    }
  });

  it('open to the metrics token and to an admin', async () => {
    server = await startTestServer({ metricsToken: METRICS_TOKEN });
    const admin = await server.signup('admin');
    for (const token of [METRICS_TOKEN, admin.token]) {
      const status = await fetch(`${server.url}/api/status`, bearer(token));
      expect(status.status).toBe(200);
      expect(await status.json()).toMatchObject({ store: 'sqlite', bus: 'memory' });
      const metrics = await fetch(`${server.url}/metrics`, bearer(token));
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^hubbub_ws_connections \d+$/m);
    }
  });

  it('with no metrics token configured, only admins get in', async () => {
    server = await startTestServer();
    const admin = await server.signup('admin');
    expect((await fetch(`${server.url}/metrics`, bearer(admin.token))).status).toBe(200);
    expect((await fetch(`${server.url}/metrics`, bearer('anything-at-all'))).status).toBe(401);
  });

  it('system.status is admin-only; system.ping stays public', async () => {
    server = await startTestServer();
    const admin = await server.signup('admin');
    const member = await server.signup('member');
    await expect(server.client().api.system.status.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(server.client(member.token).api.system.status.query()).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
    expect(await server.client(admin.token).api.system.status.query()).toMatchObject({ store: 'sqlite' });
    expect(await server.client().api.system.ping.query()).toMatchObject({ pong: true });
  });

  it('/healthz and /readyz stay open; a failing backend makes /readyz 503 with a generic reason, the detail only in the log', async () => {
    const lines: string[] = [];
    server = await startTestServer({ logTo: { write: (line) => lines.push(line) } });
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ ready: true });

    // The database driver's error names an internal address: that must not reach the caller.
    const stores = server.hubbub.deps.stores as unknown as { ping(): Promise<void> };
    const ping = stores.ping;
    stores.ping = () => Promise.reject(new Error('connect ECONNREFUSED 10.20.30.40:5432'));
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ ready: false, reason: 'a backend is unreachable' });
      expect(text).not.toContain('10.20.30.40');
      expect(lines.some((l) => l.includes('10.20.30.40') && l.includes('not ready'))).toBe(true);
    } finally {
      stores.ping = ping;
    }
  });
});
