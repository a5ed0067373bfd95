/** Who decides an agent's tool calls, and telling them on their own streams. */
import type { Message, ToolCallPart } from '@hubbub/core';
import type { AppDeps } from './context';
import { tellUsers } from './user-events';

/** A person (when there is one) and the admins, once each: who decides what an agent asks to do. */
export async function personAndAdmins(deps: AppDeps, person: string | undefined): Promise<string[]> {
  const admins = (await deps.stores.users.admins()).map((admin) => admin.id);
  return [...new Set(person ? [person, ...admins] : admins)];
}

/** Who may decide a reply's calls: the person who asked, and the admins. */
export function replyDeciders(deps: AppDeps, reply: Message): Promise<string[]> {
  return personAndAdmins(deps, reply.meta?.requestedBy);
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
