import type { Message, Notice, UserEvent } from '@hubbub/core';
import { channelHref, messageHref, TASKS_HREF } from '../../lib/router';
import type { ChannelSummary } from '../chat/types';

/** At most this much of a message goes into a notice. */
const EXCERPT = 120;

const excerpt = (text: string) => (text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text);
const authorOf = (message: Message) => message.author?.displayName ?? 'Someone';

/** How a channel is called in a notice: #slug, or the other people of a direct conversation. */
function placeOf(channel: ChannelSummary | undefined, me: string): string {
  if (!channel) return 'a channel';
  if (channel.kind !== 'dm') return `#${channel.slug}`;
  const others = (channel.people ?? []).filter((p) => p.userId !== me).map((p) => p.displayName);
  return others.length > 0 ? others.join(', ') : 'a direct message';
}

/**
 * What a user stream event tells the person (a toast in the app, a system notification when the tab
 * is hidden), or null for events that change the lists quietly. `onScreen`: the channel in view.
 */
export function noticeFor(
  event: UserEvent,
  context: { me: string; channels: ChannelSummary[] | undefined; onScreen: string | null },
): (Notice & { channelId?: string }) | null {
  const channel = (id: string) => context.channels?.find((c) => c.id === id);
  switch (event.type) {
    case 'mention':
    case 'thread.reply':
    case 'direct.message': {
      if (event.channelId === context.onScreen) return null;
      const where = channel(event.channelId);
      const title =
        event.type === 'mention'
          ? `${authorOf(event.message)} mentioned you in ${placeOf(where, context.me)}`
          : event.type === 'thread.reply'
            ? `${authorOf(event.message)} replied to a thread in ${placeOf(where, context.me)}`
            : `${authorOf(event.message)} sent you a message`;
      return {
        title,
        body: excerpt(event.message.content),
        url: channelHref(where?.slug ?? ''),
        tag: `channel:${event.channelId}`,
        channelId: event.channelId,
      };
    }
    case 'channel.joined':
      if (!event.by || event.channel.kind === 'dm') return null;
      return {
        title: `You were added to #${event.channel.slug}`,
        body: event.channel.topic ?? event.channel.name,
        url: channelHref(event.channel.slug),
        tag: `channel:${event.channel.id}`,
      };
    case 'approval.requested':
      return {
        title: `“${excerpt(event.taskTitle)}” waits for your approval`,
        body: event.action,
        url: TASKS_HREF,
        tag: `approval:${event.approvalId}`,
      };
    case 'tool.approval.requested': {
      // On screen, the card with Approve / Deny is right there in the conversation.
      if (event.channelId === context.onScreen) return null;
      const where = channel(event.channelId);
      return {
        title: `@${event.agentHandle} waits for your approval to run ${event.toolName}`,
        body: `In ${placeOf(where, context.me)}: approve or deny it on the reply.`,
        url: where ? messageHref(where.slug, event.messageId) : channelHref(''),
        tag: `tool:${event.toolCallId}`,
        channelId: event.channelId,
      };
    }
    default:
      return null;
  }
}
