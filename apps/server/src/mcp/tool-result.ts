import { retryAfterMs, wireCode } from '@hubbub/api';
import { AppError } from '@hubbub/core';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';

/** A procedure's answer as a tool result: the JSON the API returns, as text every MCP client can show. */
export function toolOutput(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] };
}

/**
 * A procedure's refusal as a tool error the calling model can read and act on
 * (the API's message and code); a server fault says only that, its detail
 * stays in the log (the caller's onError wrote it there).
 */
export function toolError(error: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: describeFailure(error) }] };
}

/** A procedure's failure in words a model can act on: "CODE: message" (a server fault: no detail). */
export function describeFailure(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  if (!(error instanceof TRPCError)) return 'INTERNAL_SERVER_ERROR: the server could not complete this call';
  // A domain error (AppError) travels as the tRPC error's cause: its code, with its message.
  const code = wireCode(error);
  if (error.cause instanceof ZodError) return `BAD_REQUEST: ${z.prettifyError(error.cause)}`;
  if (code === 'INTERNAL_SERVER_ERROR') return 'INTERNAL_SERVER_ERROR: the server could not complete this call';
  // A limit says when to come back, so an agent can wait instead of retrying at once.
  const wait = retryAfterMs([error]);
  return wait ? `${code}: ${error.message} (try again in ${Math.ceil(wait / 1000)} s)` : `${code}: ${error.message}`;
}
