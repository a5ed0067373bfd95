import type { BusEvent, Channel, ChannelChange, ChannelSignal, ChatStore } from '@hubbub/core';
import type { AppDeps } from './context';
import { ReplayPages } from './replay-pages';
import type { Seen, StreamSource } from './resumable-stream';

/** The replay pages of each chat store (one per server; tests run several in a process). */
const replayPagesOf = new WeakMap<ChatStore, ReplayPages<ChannelChange>>();

/**
 * The source of one subscriber's `channel.onEvent`. A class holding the
 * channel's id, not an object of closures holding its row: a server keeps one
 * per subscriber for as long as it stays connected.
 */
export class ChannelStreamSource implements StreamSource<ChannelChange, ChannelSignal> {
  readonly topic: string;
  readonly epoch: string;
  /** Leaving a private channel ends its stream; a public channel's has no end of its own (nothing to call per event). */
  readonly endsWith?: (change: ChannelChange) => boolean;
  /** A public channel's subscribers see its events alike: in step, they take them together (live-cohort.ts). */
  readonly shareable: boolean;

  constructor(
    private readonly deps: Pick<AppDeps, 'stores' | 'presence' | 'assistant'>,
    channelId: string,
    visibility: Channel['visibility'],
    readonly userId: string,
  ) {
    this.topic = channelId;
    this.epoch = deps.stores.chat.epoch();
    this.shareable = visibility !== 'private';
    if (visibility === 'private') {
      this.endsWith = (change) => change.type === 'member.left' && change.userId === userId;
    }
  }

  info() {
    return this.deps.stores.chat.streamInfo(this.topic);
  }

  eventsAfter(after: number, limit: number, head?: number) {
    const { chat } = this.deps.stores;
    const read = () => chat.eventsAfter(this.topic, after, limit);
    if (head === undefined) return read();
    let pages = replayPagesOf.get(chat);
    if (!pages) {
      pages = new ReplayPages();
      replayPagesOf.set(chat, pages);
    }
    return pages.get(this.topic, after, head, limit, read);
  }

  /** A channel topic's bus events are already what the stream wants: passed on as they are. */
  classify(event: BusEvent): Seen<ChannelChange, ChannelSignal> | null {
    return event.kind === 'change' || event.kind === 'signal' ? event : null;
  }

  /** Who is here, and the text so far of replies still streaming (the deltas that follow continue it). */
  async greeting(delivered: number): Promise<ChannelSignal[]> {
    const { presence, assistant } = this.deps;
    return [
      { type: 'presence', online: await presence.online(this.topic) },
      ...assistant
        .inFlight(this.topic, delivered)
        .map(({ messageId, text }) => ({ type: 'message.delta' as const, messageId, index: 0, text })),
    ];
  }
}
