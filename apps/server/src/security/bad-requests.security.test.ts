/**
 * Attack class: malformed requests. `GET /%E0%A4%A` used to end the process
 * (a URIError in the static handler); now a bad escape is a 400 at the edge,
 * and any handler that throws costs only its own request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientAddresses } from '../http/client-address';
import { createConnectionCap } from '../http/connection-cap';
import { createEdgeServer, type EdgeRequestHandler, type EdgeUpgradeHandler } from '../http/edge-server';
import { createLogger } from '../logger';
import { SERVER_MAIN, SERVER_NODE_ARGS } from '../node-args';
import { startTestServer, type TestServer } from '../test/harness';
import { startChatter } from './alive';
import { openRaw, rawHttp, request, upgradeRequest } from './raw-http';
import { fakeWebApp } from './web-dir';

/** The requests of the report, each of which used to exit the server. */
const KILLERS = [
  ['GET', '/%E0%A4%A'],
  ['GET', '/%'],
  ['GET', '/%ZZ'],
  ['GET', '/assets/%C0'],
  ['HEAD', '/%E0'],
] as const;

let server: TestServer | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function withWebApp(): Promise<TestServer> {
  const web = fakeWebApp();
  cleanups.push(web.remove);
  server = await startTestServer({ webDir: web.dir });
  return server;
}

describe('malformed requests', () => {
  it('a bad percent-escape in the path is a 400 (GET and HEAD), and everyone else carries on', async () => {
    const s = await withWebApp();
    const chatter = await startChatter(s);
    for (const [method, target] of KILLERS) {
      const answer = await rawHttp(s.port, request(method, target));
      expect(answer.status, `${method} ${target}`).toBe(400);
      expect(answer.head).toMatch(/^x-content-type-options: nosniff$/im);
    }
    // A good escape still reaches the web app.
    expect((await rawHttp(s.port, request('GET', '/c/caf%C3%A9'))).status).toBe(200);
    await chatter.expectAlive('bad escapes');
  });

  it('a bad escape on the WebSocket path is a 400 before the upgrade handler', async () => {
    const s = await withWebApp();
    for (const target of ['/ws%E0', '/%', '/ws/%C0?token=x']) {
      expect((await rawHttp(s.port, upgradeRequest(target))).status, target).toBe(400);
    }
    // The real path upgrades (101), then this test closes it.
    const ok = await openRaw(s.port);
    ok.socket.write(upgradeRequest('/ws'));
    await expect.poll(() => ok.status()).toBe(101);
    ok.socket.destroy();
  });

  it('a target that is not a path (absolute-form, asterisk) is a 400', async () => {
    const s = await withWebApp();
    expect((await rawHttp(s.port, request('GET', 'http://elsewhere.example/'))).status).toBe(400);
    expect((await rawHttp(s.port, request('OPTIONS', '*'))).status).toBe(400);
  });

  it('bytes the HTTP parser refuses are a 400, oversized headers a 431, and the socket is closed', async () => {
    const s = await withWebApp();
    const chatter = await startChatter(s);
    expect((await rawHttp(s.port, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]))).status).toBe(400);
    expect((await rawHttp(s.port, 'GET / HTTP/1.1\r\nno colon here\r\n\r\n')).status).toBe(400);
    expect((await rawHttp(s.port, 'BREW /pot HTTP/1.1\r\nhost: x\r\n\r\n')).status).toBe(400);
    expect((await rawHttp(s.port, request('GET', '/', { 'x-big': 'a'.repeat(20_000) }))).status).toBe(431);
    await chatter.expectAlive('unparseable requests');
  });
});

describe('a handler that fails', () => {
  let edge: Server | undefined;
  afterEach(async () => {
    edge?.closeAllConnections();
    await new Promise((resolve) => edge?.close(resolve));
    edge = undefined;
  });

  async function startEdge(onRequest: EdgeRequestHandler, onUpgrade: EdgeUpgradeHandler = () => {}) {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => lines.push(line) });
    edge = createEdgeServer({
      logger,
      cap: createConnectionCap(0, createClientAddresses([]), logger),
      onRequest,
      onUpgrade,
    });
    await new Promise<void>((resolve) => edge?.listen(0, '127.0.0.1', resolve));
    const port = (edge.address() as { port: number }).port;
    const failures = () => lines.filter((l) => /handler failed/.test(l));
    return { port, lines, failures };
  }

  it('a throw or a rejection costs its own request a 500 and one log line (no token), the next one is served', async () => {
    const { port, failures } = await startEdge(async (_req, res, path) => {
      if (path === '/throw') throw new Error('boom');
      if (path === '/reject') await Promise.reject(new Error('late boom'));
      if (path === '/half') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        throw new Error('boom mid-answer');
      }
      res.end('fine');
    });
    const thrown = await fetch(`http://127.0.0.1:${port}/throw?token=sekrit-token`);
    expect(thrown.status).toBe(500);
    expect(thrown.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await thrown.json()).toEqual({ error: 'internal error: the server could not complete this request' });
    expect((await fetch(`http://127.0.0.1:${port}/reject`)).status).toBe(500);
    // Headers already sent: the connection is cut rather than a 500 appended to a 200.
    await expect(fetch(`http://127.0.0.1:${port}/half`).then((r) => r.text())).rejects.toThrow();
    expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).text()).toBe('fine');

    expect(failures()).toHaveLength(3);
    expect(failures().join('\n')).not.toContain('sekrit-token');
    expect(failures()[0]).toContain('"path":"/throw"');
  });

  it('an upgrade handler that throws or rejects closes that socket with one log line', async () => {
    const { port, failures } = await startEdge(
      (_req, res) => void res.end('fine'),
      async (_req, _socket, _head, path) => {
        if (path === '/throw') throw new Error('upgrade boom');
        await Promise.reject(new Error('late upgrade boom'));
      },
    );
    for (const target of ['/throw', '/reject']) {
      const conn = await openRaw(port);
      conn.socket.write(upgradeRequest(target));
      await conn.closed;
      expect(conn.received().length, target).toBe(0);
    }
    expect(failures()).toHaveLength(2);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('fine');
  });
});

describe('the real server process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('survives every request that used to end it', async () => {
    const web = fakeWebApp();
    const dataDir = mkdtempSync(join(tmpdir(), 'hubbub-crash-'));
    cleanups.push(web.remove, () => rmSync(dataDir, { recursive: true, force: true }));
    const proc = spawn(process.execPath, [...SERVER_NODE_ARGS, SERVER_MAIN], {
      cwd: join(SERVER_MAIN, '..', '..'),
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        HUBBUB_DATA_DIR: dataDir,
        HUBBUB_WEB_DIR: web.dir,
        LOG_LEVEL: 'silent',
        OPENAI_BASE_URL: undefined,
        HUBBUB_MODEL: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /running at http:\/\/localhost:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
    });

    for (const [method, target] of KILLERS) {
      expect((await rawHttp(port, request(method, target))).status, `${method} ${target}`).toBe(400);
    }
    expect((await rawHttp(port, upgradeRequest('/%E0%A4%A'))).status).toBe(400);
    expect(proc.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 60_000);
});
