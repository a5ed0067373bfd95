import type { createCaller } from '@hubbub/api';
import { AppError, LIMITS, LOG_LIMITS, SEARCH_LIMITS, ZAgentName, ZId, ZTaskStatus } from '@hubbub/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toolError, toolOutput } from './tool-result';

/** The API as the key's own caller: every tool goes through the same procedures, checks and limits. */
export type ApiCaller = ReturnType<typeof createCaller>;

/** A tool's work: the procedure's answer becomes its output, a refusal a tool error (never a crash). */
async function run(call: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return toolOutput(await call());
  } catch (error) {
    return toolError(error);
  }
}

const channelId = ZId.describe('the channel id (from list_channels)');
/** A task's input or result: any JSON value (the API bounds its size). */
const json = z.unknown();

/**
 * Each tool's input, built once rather than per request (every request gets a
 * server of its own) and checked by the SDK before the call; the procedure
 * then validates again with the API's own schema.
 */
const INPUTS = {
  list_channels: z.object({
    cursor: z.string().max(64).optional().describe('nextCursor of the previous page'),
    limit: z.number().int().min(1).max(200).optional(),
  }),
  join_channel: z.object({ channelId }),
  read_messages: z.object({
    channelId,
    before: z.number().int().positive().optional().describe('read messages older than this seq (nextCursor)'),
    limit: z.number().int().min(1).max(LIMITS.historyPage).default(20),
  }),
  send_message: z.object({
    channelId,
    content: z.string().min(1).max(LIMITS.message).describe('the message text (markdown)'),
    threadId: ZId.optional().describe("the thread's root message id, to reply in a thread"),
  }),
  search_messages: z.object({
    query: z.string().min(SEARCH_LIMITS.query.min).max(SEARCH_LIMITS.query.max),
    channelId: channelId.optional().describe('only this channel'),
    limit: z.number().int().min(1).max(SEARCH_LIMITS.page.max).optional(),
    cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
  }),
  create_task: z.object({
    title: z.string().min(1).max(200),
    agent: ZAgentName.optional().describe('the agent the task is for'),
    input: json.optional().describe('the task input: any JSON value'),
    totalSteps: z.number().int().min(1).max(1_000_000).optional(),
  }),
  list_tasks: z.object({
    status: ZTaskStatus.optional(),
    agent: ZAgentName.optional(),
    cursor: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(100).default(25),
  }),
  claim_task: z.object({
    agent: ZAgentName.describe('the agent name whose queued work to take (one this API key was made for)'),
  }),
  update_task: z.object({
    id: ZId.describe('the task id (from list_tasks or create_task)'),
    progress: z
      .object({
        current: z.number().int().min(0).max(1_000_000),
        total: z.number().int().min(1).max(1_000_000).optional(),
        step: z.string().max(200).optional().describe('what it is doing now'),
      })
      .optional(),
    log: z
      .array(z.string().max(LOG_LIMITS.lineLength))
      .min(1)
      .max(LOG_LIMITS.linesPerCall)
      .optional()
      .describe('log lines to append'),
    complete: z.boolean().optional().describe('true: the task is done'),
    result: json.optional().describe('with complete: the result, any JSON value'),
  }),
};

const READ_ONLY = { readOnlyHint: true } as const;

/** Hubbub's chat and task tools, on one MCP server whose calls act as `api`'s caller. */
export function registerHubbubTools(server: McpServer, api: ApiCaller): void {
  server.registerTool(
    'list_channels',
    {
      description:
        'Lists the channels this agent can see: public ones and the private ones it is a member of, a page at a time (pass nextCursor back as cursor for the next page).',
      inputSchema: INPUTS.list_channels,
      annotations: READ_ONLY,
    },
    (input) => run(() => api.channel.list(input)),
  );

  server.registerTool(
    'join_channel',
    {
      description: 'Joins a public channel so the agent can read and post there (private channels need an invitation).',
      inputSchema: INPUTS.join_channel,
    },
    (input) => run(() => api.channel.join(input)),
  );

  server.registerTool(
    'read_messages',
    {
      description: `Reads a channel's messages, newest first, at most ${LIMITS.historyPage} per call; pass nextCursor back as before for older ones.`,
      inputSchema: INPUTS.read_messages,
      annotations: READ_ONLY,
    },
    (input) => run(() => api.message.history(input)),
  );

  server.registerTool(
    'send_message',
    {
      description:
        'Posts a message in a channel the agent is a member of; with threadId, as a reply in that thread. Mention people with @handle.',
      inputSchema: INPUTS.send_message,
    },
    (input) => run(() => api.message.send(input)),
  );

  server.registerTool(
    'search_messages',
    {
      description:
        'Full-text search over the messages this agent may read: words, "quoted phrases", -excluded words. Best hits first, with snippets.',
      inputSchema: INPUTS.search_messages,
      annotations: READ_ONLY,
    },
    (input) => run(() => api.message.search(input)),
  );

  server.registerTool(
    'create_task',
    {
      description: 'Creates a task on the dashboard, optionally for a named agent (its workers claim it).',
      inputSchema: INPUTS.create_task,
    },
    (input) => run(() => api.task.create(input)),
  );

  server.registerTool(
    'list_tasks',
    {
      description: 'Lists tasks, newest first, optionally by status or agent; pass nextCursor back as cursor.',
      inputSchema: INPUTS.list_tasks,
      annotations: READ_ONLY,
    },
    (input) => run(() => api.task.list(input)),
  );

  server.registerTool(
    'claim_task',
    {
      description:
        'Takes the oldest queued task for an agent name this key was made for; answers the task with its input, or null when nothing waits.',
      inputSchema: INPUTS.claim_task,
    },
    (input) => run(() => api.task.claim(input)),
  );

  server.registerTool(
    'update_task',
    {
      description:
        'Reports on a task this agent has claimed: progress, log lines, and/or completion (in that order, each as the task API does it). Give at least one.',
      inputSchema: INPUTS.update_task,
    },
    ({ id, progress, log, complete, result }) =>
      run(async () => {
        if (!progress && !log && !complete) {
          throw new AppError('BAD_REQUEST', 'nothing to update: give progress, log or complete');
        }
        let task: unknown;
        if (progress) task = await api.task.progress({ id, ...progress });
        if (log) task = await api.task.log({ id, lines: log });
        if (complete) task = await api.task.complete({ id, result });
        return task;
      }),
  );
}
