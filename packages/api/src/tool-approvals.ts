/** Who decides an agent's tool calls, and telling them on their own streams. */
import type { Message, ToolCallPart } from '@hubbub/core';
import type { AppDeps } from './context';
import { tellUsers } from './user-events';

/** Who may decide a reply's calls: the person who asked, and the admins. */
export async function replyDeciders(deps: AppDeps, reply: Message): Promise<string[]> {
  const admins = (await deps.stores.users.admins()).map((admin) => admin.id);
  const asker = reply.meta?.requestedBy;
  return [...new Set(asker ? [asker, ...admins] : admins)];
}

/** A reply waits for decisions on `calls`: its deciders are told on their own streams (stored: they survive reconnects). */
export async function tellToolApprovers(
  deps: AppDeps,
  agentHandle: string,
  reply: Message,
  calls: ToolCallPart[],
): Promise<void> {
  const people = await replyDeciders(deps, reply);
  await tellUsers(
    deps,
    calls.flatMap((call) =>
      people.map((userId) => ({
        userId,
        change: {
          type: 'tool.approval.requested' as const,
          channelId: reply.channelId,
          messageId: reply.id,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          agentHandle,
        },
      })),
    ),
  );
}
