import { useMutation, useQueryClient } from '@tanstack/react-query';
import { channelHref, navigate } from '../../lib/router';
import { useTRPC } from '../../trpc';
import { ChannelIcon } from './channel-link';
import { isDirect } from './dm-names';
import { channelsKey } from './query-keys';
import type { ChannelSummary } from './types';

/** Of every channel you can see, the public ones you are not in: open one to read along, or join it straight away. */
export function BrowseChannels({ channels, activeSlug }: { channels: ChannelSummary[]; activeSlug: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const join = useMutation(
    trpc.channel.join.mutationOptions({
      onSuccess: async (channel) => {
        await queryClient.invalidateQueries({ queryKey: channelsKey });
        navigate(channelHref(channel.slug));
      },
    }),
  );
  const discover = channels.filter((c) => !c.joined && !isDirect(c) && c.visibility === 'public' && !c.archivedAt);

  return (
    <section className="sidebar-section" aria-labelledby="browse-heading">
      <h2 id="browse-heading">Browse</h2>
      {discover.length === 0 ? (
        <p className="sidebar-empty">You’re in every public channel.</p>
      ) : (
        <ul className="channel-list">
          {discover.map((c) => (
            <li key={c.id} className="browse-item">
              <a
                className="channel-link"
                href={channelHref(c.slug)}
                aria-current={c.slug === activeSlug ? 'page' : undefined}
                data-testid="browse-item"
                data-slug={c.slug}
                title={c.topic ?? undefined}
              >
                <ChannelIcon channel={c} />
                <span className="channel-name">{c.slug}</span>
                <span className="muted small" title={`${c.memberCount} member${c.memberCount === 1 ? '' : 's'}`}>
                  {c.memberCount}
                </span>
              </a>
              <button
                type="button"
                className="chip"
                onClick={() => join.mutate({ channelId: c.id })}
                disabled={join.isPending}
                aria-label={`Join #${c.slug}`}
              >
                Join
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
