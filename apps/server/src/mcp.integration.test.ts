import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test/harness';
import { generalChannel } from './test/stream';

let server: TestServer | undefined;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.stop();
  server = undefined;
});

/** An admin (first signup) and an agent key it minted, for the agent `scout`. */
async function setup(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const admin = await server.signup('admin');
  const boss = server.client(admin.token);
  const { key, apiKey } = await boss.api.apiKey.create.mutate({ name: 'scout', role: 'agent' });
  return { server, admin, boss, key, apiKey };
}

/** The SDK's own MCP client over real HTTP, presenting `token`. */
async function mcpClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'hubbub-test', version: '1.0.0' });
  clients.push(client);
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const answer = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  const text = answer.content.map((part) => part.text ?? '').join('');
  return { isError: answer.isError === true, text };
}

/** A tool call that must succeed: its JSON answer. */
async function ok<T>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const answer = await call(client, name, args);
  if (answer.isError) throw new Error(`${name} failed: ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

function post(url: string, headers: Record<string, string>) {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

describe('the MCP door (POST /mcp) with the SDK client over real HTTP', () => {
  it('lists the tools, each with a description and an input schema', async () => {
    const { server, key } = await setup();
    const mcp = await mcpClient(server.url, key);
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'claim_task',
      'create_task',
      'join_channel',
      'list_channels',
      'list_tasks',
      'read_messages',
      'search_messages',
      'send_message',
      'update_task',
    ]);
    for (const tool of tools) {
      expect(tool.description).toBeTruthy();
      expect(tool.inputSchema.type).toBe('object');
    }
    const read = tools.find((tool) => tool.name === 'read_messages');
    expect(read?.inputSchema.properties?.limit).toMatchObject({ maximum: 100 });
  });

  it('joins #general, sends a message, reads it back (newest first) and finds it by search', async () => {
    const { server, boss, key } = await setup();
    const general = await generalChannel(boss);
    await boss.api.message.send.mutate({ channelId: general.id, content: 'an older line' });
    const mcp = await mcpClient(server.url, key);

    const listed = await ok<{ items: { id: string; slug: string }[] }>(mcp, 'list_channels', {});
    expect(listed.items.map((channel) => channel.slug)).toContain('general');
    await ok(mcp, 'join_channel', { channelId: general.id });
    const sent = await ok<{ id: string; content: string }>(mcp, 'send_message', {
      channelId: general.id,
      content: 'hello from a periwinkle agent',
    });
    expect(sent.content).toBe('hello from a periwinkle agent');

    const page = await ok<{ items: { id: string; content: string }[] }>(mcp, 'read_messages', {
      channelId: general.id,
      limit: 5,
    });
    expect(page.items.map((message) => message.content).slice(0, 2)).toEqual([
      'hello from a periwinkle agent',
      'an older line',
    ]);
    // The people see it as the key's agent's message.
    const seen = await boss.api.message.history.query({ channelId: general.id, limit: 1 });
    expect(seen.items[0]).toMatchObject({ id: sent.id, author: { handle: 'scout' } });

    const found = await ok<{ hits: { message: { id: string } }[] }>(mcp, 'search_messages', { query: 'periwinkle' });
    expect(found.hits.map((hit) => hit.message.id)).toEqual([sent.id]);
  });

  it('creates, lists and claims tasks, and reports on a task it claimed (progress, log, complete)', async () => {
    const { server, boss, key } = await setup();
    const mcp = await mcpClient(server.url, key);
    const created = await ok<{ id: string; title: string; status: string }>(mcp, 'create_task', {
      title: 'summarise the week',
      agent: 'scout',
      input: { week: 48 },
      totalSteps: 2,
    });
    expect(created).toMatchObject({ title: 'summarise the week', status: 'queued' });
    const listed = await ok<{ items: { id: string }[] }>(mcp, 'list_tasks', { agent: 'scout' });
    expect(listed.items.map((task) => task.id)).toEqual([created.id]);

    // Someone else's task it never claimed: refused with the API's words.
    const other = await boss.api.task.create.mutate({ title: 'not yours' });
    const refused = await call(mcp, 'update_task', { id: other.id, progress: { current: 1 } });
    expect(refused.isError).toBe(true);
    expect(refused.text).toBe('CONFLICT: the task is queued: stop working on it');

    // Claimed through MCP (the oldest queued task for its agent name), then reported on.
    const claimed = await ok<{ id: string; status: string; input: unknown }>(mcp, 'claim_task', { agent: 'scout' });
    expect(claimed).toMatchObject({ id: created.id, status: 'in_progress', input: { week: 48 } });
    // Then the task for no agent in particular (anyone's work), then nothing is left: null.
    expect(await ok(mcp, 'claim_task', { agent: 'scout' })).toMatchObject({ id: other.id, status: 'in_progress' });
    expect(await ok(mcp, 'claim_task', { agent: 'scout' })).toBeNull();
    await ok(mcp, 'update_task', {
      id: created.id,
      progress: { current: 1, step: 'reading' },
      log: ['read 40 messages'],
    });
    await ok(mcp, 'update_task', { id: created.id, complete: true, result: { summary: 'a calm week' } });
    const detail = await boss.api.task.byId.query({ id: created.id });
    expect(detail.task).toMatchObject({ status: 'completed', result: { summary: 'a calm week' } });
    expect(detail.logs.map((line) => line.line)).toEqual(['read 40 messages']);

    const empty = await call(mcp, 'update_task', { id: created.id });
    expect(empty).toEqual({ isError: true, text: 'BAD_REQUEST: nothing to update: give progress, log or complete' });
  });

  it("never reads or posts in a private channel the key's agent is not in", async () => {
    const { server, boss, key } = await setup();
    const secret = await boss.api.channel.create.mutate({ slug: 'board', name: 'Board', visibility: 'private' });
    await boss.api.message.send.mutate({ channelId: secret.id, content: 'the tangerine merger is confidential' });
    const mcp = await mcpClient(server.url, key);

    const listed = await ok<{ items: { id: string }[] }>(mcp, 'list_channels', {});
    expect(listed.items.map((channel) => channel.id)).not.toContain(secret.id);
    for (const [tool, args] of [
      ['read_messages', { channelId: secret.id }],
      ['send_message', { channelId: secret.id, content: 'let me in' }],
      ['join_channel', { channelId: secret.id }],
      ['search_messages', { query: 'tangerine', channelId: secret.id }],
    ] as const) {
      const answer = await call(mcp, tool, args);
      expect(answer.isError, tool).toBe(true);
      // The same answer as for an id that never existed: not even the channel's existence leaks.
      expect(answer.text, tool).toBe('NOT_FOUND: channel not found');
    }
    const searched = await ok<{ hits: unknown[] }>(mcp, 'search_messages', { query: 'tangerine' });
    expect(searched.hits).toEqual([]);
    const history = await boss.api.message.history.query({ channelId: secret.id });
    expect(history.items.map((message) => message.content)).toEqual(['the tangerine merger is confidential']);
  });

  it('answers a bad input with a readable tool error, not a crash', async () => {
    const { server, key } = await setup();
    const mcp = await mcpClient(server.url, key);
    const answer = await call(mcp, 'read_messages', { channelId: 'x', limit: 101 });
    expect(answer.isError).toBe(true);
    expect(answer.text).toMatch(/Input validation error: .*<=100 at limit/);
    // Past the tool's schema, the API's own validation speaks (a message of spaces is empty once trimmed).
    const general = await ok<{ items: { id: string; slug: string }[] }>(mcp, 'list_channels', {});
    const channelId = general.items.find((channel) => channel.slug === 'general')?.id;
    await ok(mcp, 'join_channel', { channelId });
    const blank = await call(mcp, 'send_message', { channelId, content: '   ' });
    expect(blank).toEqual({ isError: true, text: expect.stringMatching(/^BAD_REQUEST: .*message is empty/s) });
  });

  it("is held to the key's write limit: past it, a tool error that says when to try again", async () => {
    const { server, boss, key } = await setup({ limits: { writes: { burst: 2, perSecond: 0.01 } } });
    const general = await generalChannel(boss);
    const mcp = await mcpClient(server.url, key);
    await ok(mcp, 'join_channel', { channelId: general.id });
    await ok(mcp, 'send_message', { channelId: general.id, content: 'one' });
    const third = await call(mcp, 'send_message', { channelId: general.id, content: 'two' });
    expect(third).toEqual({
      isError: true,
      text: expect.stringMatching(/^TOO_MANY_REQUESTS: slow down: .* \(try again in \d+ s\)$/),
    });
  });

  it('opens only with an API key: none, a bad one and a person’s token get 401, a revoked key stops at once', async () => {
    const { server, admin, boss, key, apiKey } = await setup();
    const none = await post(server.url, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED', error: expect.stringContaining('API key') });

    const forged = await post(server.url, { authorization: `Bearer hb_${'0'.repeat(32)}_${'x'.repeat(32)}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: expect.stringContaining('invalid API key') });

    const person = await post(server.url, { authorization: `Bearer ${admin.token}` });
    expect(person.status).toBe(401);
    expect(await person.json()).toMatchObject({ error: expect.stringContaining("a person's sign-in token") });
    await expect(mcpClient(server.url, admin.token)).rejects.toThrow(/401|sign-in token/);

    const notPost = await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${key}` } });
    expect(notPost.status).toBe(405);
    expect(notPost.headers.get('allow')).toBe('POST');

    const mcp = await mcpClient(server.url, key);
    await ok(mcp, 'list_tasks', {});
    await boss.api.apiKey.revoke.mutate({ id: apiKey.id });
    await expect(mcp.callTool({ name: 'list_tasks', arguments: {} })).rejects.toThrow(/401|revoked/);
    const revoked = await post(server.url, { authorization: `Bearer ${key}` });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toMatchObject({ error: expect.stringContaining('revoked') });
  });

  it('refuses a body over the request limit with 413 before handing it on', async () => {
    const { server, key } = await setup();
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      error: 'the request is too large: at most 1 MB',
    });
  });
});
