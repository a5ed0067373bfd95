import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, createCaller, createHttpContext } from '@hubbub/api';
import { AppError } from '@hubbub/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { App } from '../compose';
import { answerAppError } from '../http/error-response';
import { discardRest, formatBytes, readBounded } from '../http/read-bounded';
import { json } from '../http/respond';
import type { ProcedureErrorHandler } from '../procedure-errors';
import { VERSION } from '../status';
import { registerHubbubTools } from './tools';

const KEY_NEEDED = 'the MCP door is for agents: send an agent API key as Authorization: Bearer hb_…';

/**
 * POST /mcp: the Model Context Protocol over Streamable HTTP, stateless (a new
 * server and transport per request, no sessions to keep or share across a
 * cluster). Only an API key opens it; its tools call the API as that key.
 */
export function createMcpHandler(app: App, onError: ProcedureErrorHandler) {
  const maxBytes = app.config.maxPayloadBytes;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Stateless: no stream to open with GET and no session to end with DELETE.
    if (req.method !== 'POST')
      return json(res, 405, rpcError('use POST: this server keeps no sessions'), { allow: 'POST' });
    let bodyUnread = true;
    try {
      const ctx = await agentContext(app, req);
      const body = parseBody(await readBody(req, maxBytes));
      bodyUnread = false;
      const server = new McpServer({ name: 'hubbub', version: VERSION });
      registerHubbubTools(server, createCaller(ctx, { onError }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (error) {
      // Refused before its body was read: drop the rest so the client reads the answer, then close.
      if (bodyUnread) discardRest(req, maxBytes);
      answerAppError(res, error, bodyUnread);
    }
  };
}

/** The caller's context, if it is an API key's (revoked keys are refused here and again on every call). */
async function agentContext(app: App, req: IncomingMessage): Promise<Context> {
  const ctx = await createHttpContext(app.deps, req, { address: app.addresses.clientAddress(req) });
  if (!ctx.user) throw new AppError('UNAUTHORIZED', ctx.authError ? `${ctx.authError}: ${KEY_NEEDED}` : KEY_NEEDED);
  if (!ctx.apiKeyId) throw new AppError('UNAUTHORIZED', `a person's sign-in token does not open it: ${KEY_NEEDED}`);
  return ctx;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  try {
    return await readBounded(req, maxBytes);
  } catch (error) {
    if (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE') {
      throw new AppError('PAYLOAD_TOO_LARGE', `the request is too large: at most ${formatBytes(maxBytes)}`);
    }
    throw error;
  }
}

function parseBody(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not JSON');
  }
}

/** A JSON-RPC error without a request id: what MCP clients expect from a refused request. */
function rpcError(message: string) {
  return { jsonrpc: '2.0', error: { code: -32000, message }, id: null };
}
