import type { Person, SearchHit } from '@hubbub/core';
import { conversationName } from '../chat/dm-names';
import type { ChannelSummary } from '../chat/types';

/** One row of the palette: where Enter takes you. */
export type PaletteOption =
  | { kind: 'channel'; key: string; channel: ChannelSummary }
  | { kind: 'person'; key: string; person: Person }
  | { kind: 'message'; key: string; hit: SearchHit };

/** Channels offered at most. */
const CHANNELS = 5;

/**
 * The channels (and direct conversations) whose name contains what is typed, from the list the
 * client already has: those starting with it first, then the ones you are in, then by name.
 */
export function matchChannels(channels: readonly ChannelSummary[], text: string, meId: string): ChannelSummary[] {
  const wanted = text.trim().toLowerCase().replace(/^#/, '');
  if (!wanted) return [];
  const scored = channels.flatMap((channel) => {
    const names = [channel.slug, channel.name, conversationName(channel, meId).replace(/^#/, '')].map((n) =>
      n.toLowerCase(),
    );
    if (!names.some((n) => n.includes(wanted))) return [];
    const starts = names.some((n) => n.startsWith(wanted));
    return [{ channel, rank: (starts ? 0 : 2) + (channel.joined ? 0 : 1) }];
  });
  return scored
    .sort((a, b) => a.rank - b.rank || a.channel.slug.localeCompare(b.channel.slug))
    .slice(0, CHANNELS)
    .map((s) => s.channel);
}
