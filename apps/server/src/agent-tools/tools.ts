/**
 * The tools an agent calls in its replies. Each acts as the person who asked,
 * never more: it goes through the API's own procedures with that person's
 * context (authorization, limits and validation unchanged), like the MCP door.
 */

import { type AppDeps, createCaller, createContextInner, replaceChannelTodos, tellToolApprovers } from '@hubbub/api';
import type { AgentToolset } from '@hubbub/assistant';
import {
  type Agent,
  type AgentTool,
  type Message,
  SEARCH_LIMITS,
  type Task,
  type User,
  ZAgentName,
  ZId,
  ZTaskStatus,
  ZTodoItemsInput,
} from '@hubbub/core';
import { type Tool, tool } from 'ai';
import { z } from 'zod';
import { describeFailure } from '../mcp/tool-result';

/** Tools that change something ask a person first unless the agent's settings say otherwise. */
const ASKS_BY_DEFAULT: ReadonlySet<AgentTool> = new Set(['create_task', 'post_message']);

/** Characters of a message's text a tool hands the model. */
const TEXT_CUT = 500;

const cut = (text: string) => (text.length > TEXT_CUT ? `${text.slice(0, TEXT_CUT)}…` : text);

const messageView = (message: Message) => ({
  id: message.id,
  author: message.author?.displayName ?? (message.role === 'assistant' ? 'assistant' : 'someone'),
  text: cut(message.content),
  at: message.createdAt,
  ...(message.threadId ? { threadId: message.threadId } : {}),
});

const taskView = (task: Task) => ({
  id: task.id,
  title: task.title,
  agent: task.agent,
  status: task.status,
  progress: task.progress,
  ...(task.error ? { error: task.error } : {}),
  ...(task.result !== null && !task.redacted ? { result: task.result } : {}),
});

/** Where an agent works for one reply: as whom, in which channel. */
interface ToolScope {
  deps: AppDeps;
  agent: Agent;
  asker: User;
  channelId: string;
}

/** The API as the asker: its procedures with the asker's context. */
const callerFor = (scope: ToolScope) => createCaller(createContextInner(scope.deps, scope.asker));

/** A refusal becomes the tool's error in the MCP door's words (the model and the card read "FORBIDDEN: …"). */
async function asAsker<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(describeFailure(error));
  }
}

function definitions(scope: ToolScope): Record<AgentTool, Tool> {
  const caller = () => callerFor(scope);
  return {
    search_messages: tool({
      description:
        'Search the messages the person who asked can read. Returns the best matches, newest first among equals.',
      inputSchema: z.object({
        query: z.string().min(SEARCH_LIMITS.query.min).max(SEARCH_LIMITS.query.max).describe('words to look for'),
        channelId: ZId.optional().describe('only this channel'),
      }),
      execute: ({ query, channelId }) =>
        asAsker(async () => {
          const page = await caller().message.search({ query, channelId, limit: 10 });
          const hits = page.hits.map((hit) => ({
            ...messageView(hit.message),
            channel: hit.channel.slug,
            channelId: hit.channel.id,
            text: cut(hit.snippet || hit.message.content),
          }));
          return { hits, more: page.nextCursor !== null };
        }),
    }),
    read_channel: tool({
      description: "Read a channel's latest messages (this conversation's when no channel is given), oldest first.",
      inputSchema: z.object({
        channelId: ZId.optional().describe('the channel id (default: this conversation)'),
        limit: z.number().int().min(1).max(30).default(20),
      }),
      execute: ({ channelId, limit }) =>
        asAsker(async () => {
          const page = await caller().message.history({ channelId: channelId ?? scope.channelId, limit });
          return { messages: [...page.items].reverse().map(messageView), more: page.nextCursor !== null };
        }),
    }),
    list_tasks: tool({
      description: 'List tasks (agents’ runs), newest first, optionally by status or agent.',
      inputSchema: z.object({
        status: ZTaskStatus.optional(),
        agent: ZAgentName.optional(),
        limit: z.number().int().min(1).max(25).default(10),
      }),
      execute: (input) =>
        asAsker(async () => {
          const page = await caller().task.list(input);
          return { tasks: page.items.map(taskView), more: page.nextCursor !== null };
        }),
    }),
    get_task: tool({
      description: 'One task with its progress, result or error.',
      inputSchema: z.object({ id: ZId.describe('the task id') }),
      execute: ({ id }) => asAsker(async () => taskView((await caller().task.byId({ id })).task)),
    }),
    create_task: tool({
      description: 'Create a task for an agent (a worker) to run. Changes something: a person approves it first.',
      inputSchema: z.object({
        title: z.string().trim().min(1).max(200),
        agent: ZAgentName.optional().describe('the agent (worker) the task is for'),
      }),
      execute: (input) => asAsker(async () => taskView(await caller().task.create(input))),
    }),
    post_message: tool({
      description: 'Post a message in another channel the person who asked may post in.',
      inputSchema: z.object({
        channelId: ZId.describe('the channel to post in'),
        content: z.string().trim().min(1).max(4000),
      }),
      execute: (input) =>
        asAsker(async () => {
          const message = await caller().message.send(input);
          return { messageId: message.id, channelId: message.channelId };
        }),
    }),
    update_todos: tool({
      description:
        "Replace this conversation's plan (its todo list), in order; each item pending, in_progress or done.",
      inputSchema: z.object({ items: ZTodoItemsInput }),
      execute: ({ items }) =>
        asAsker(async () => {
          // The asker reads this conversation (they asked in it); the plan is written as the agent.
          await caller().message.history({ channelId: scope.channelId, limit: 1 });
          const todos = await replaceChannelTodos(scope.deps, scope.channelId, items, scope.agent.userId);
          return { items: todos.items.map(({ content, status }) => ({ content, status })) };
        }),
    }),
  };
}

/** Does a call of `name` wait for a person's decision? The agent's setting, or the default for the tool. */
export function needsApproval(agent: Pick<Agent, 'approval'>, name: AgentTool): boolean {
  return (agent.approval[name] ?? (ASKS_BY_DEFAULT.has(name) ? 'ask' : 'auto')) === 'ask';
}

/** The agent's allowed tools for one reply, acting as `asker` in `channelId`; undefined when it has none. */
export function agentToolset(deps: AppDeps, agent: Agent, asker: User, channelId: string): AgentToolset | undefined {
  if (agent.tools.length === 0) return undefined;
  const all = definitions({ deps, agent, asker, channelId });
  const tools = Object.fromEntries(
    agent.tools.map((name) => [name, { ...all[name], needsApproval: needsApproval(agent, name) }]),
  );
  return {
    tools,
    onAwaitingApproval: (reply, calls) => tellToolApprovers(deps, agent.handle, reply, calls),
  };
}
