import type { BusListener, ChannelHub } from '@hubbub/bus';
import { type BusEvent, formatEventId } from '@hubbub/core';
import { Broadcast, type BroadcastFeed, type PushSubscription } from '@hubbub/trpc-ws';
import type { Seen } from './seen';

/** What a cohort asks of a stream in it: where it is, and how it leaves. */
export interface CohortMember extends PushSubscription, BusListener {
  /** It left at `delivered` (listening to the hub again); `slow`: cut off, written to past the backlog limit. */
  leftCohort(delivered: number, slow: boolean): void;
}

export type CohortHub = Pick<ChannelHub, 'addListener' | 'removeListener'>;

/** What a cohort reads of its first member's source (a StreamSource): every member's sees the topic alike. */
export interface CohortSource {
  readonly topic: string;
  readonly epoch: string;
  classify(event: BusEvent): Seen<unknown, unknown> | null;
}

/** Cohorts by the adapter they write with, then by topic and frame head. */
const cohorts = new WeakMap<BroadcastFeed, Map<string, LiveCohort>>();

/**
 * The live subscribers of one topic that are in step (delivered up to the same event, on one adapter, with the same
 * subscription id, so the same frames) take each event in one call: the cohort is the hub's listener in their place,
 * checks the event's position once, and writes one frame to their sockets (trpc-ws's Broadcast), where each
 * subscriber would read its stream, its connection and its socket's parts. Only for sources whose events every
 * subscriber sees alike (`shareable`). A member leaves at the cohort's position, back on the hub: when its socket
 * cannot take the frame now (it hears the event from the hub, sent its own way), when it falls behind (cut off),
 * when it stops; and all of them when an event skips ahead or the bus lost some (each fills the gap from the store
 * as it would have alone).
 */
export class LiveCohort implements BusListener {
  private readonly broadcast: Broadcast<CohortMember>;
  private readonly topic: string;

  private constructor(
    private readonly hub: CohortHub,
    private readonly source: CohortSource,
    private readonly key: string,
    feed: BroadcastFeed,
    head: string,
    /** The offset every member has been sent up to. */
    private position: number,
  ) {
    this.topic = source.topic;
    this.broadcast = new Broadcast(feed, head);
  }

  /**
   * Puts `member` (live, at `delivered`, reading `source`) in its topic's cohort, made if there is none; null when
   * it does not fit (not in step, another hub or epoch, not announced). The hub stops handing it events: the
   * cohort does.
   */
  static join(member: CohortMember, hub: CohortHub, source: CohortSource, delivered: number): LiveCohort | null {
    const feed = member.broadcastFeed();
    if (!feed) return null;
    let byKey = cohorts.get(feed);
    if (!byKey) {
      byKey = new Map();
      cohorts.set(feed, byKey);
    }
    const key = `${source.topic}\n${member.head}`;
    const found = byKey.get(key);
    const cohort = found ?? new LiveCohort(hub, source, key, feed, member.head, delivered);
    const inStep = cohort.hub === hub && cohort.source.epoch === source.epoch && cohort.position === delivered;
    if (!inStep || !cohort.broadcast.fits(member)) return null;
    if (!found) {
      if (!hub.addListener(source.topic, cohort)) return null;
      byKey.set(key, cohort);
    }
    cohort.broadcast.add(member);
    hub.removeListener(source.topic, member);
    return cohort;
  }

  /** `member` stops: it leaves without going back to the hub. Returns where it was. */
  leave(member: CohortMember): number {
    this.broadcast.remove(member);
    if (this.broadcast.size === 0) this.close();
    return this.position;
  }

  onBusEvent(event: BusEvent): void {
    if (event.kind === 'resync') {
      this.disband();
      return;
    }
    const seen = this.source.classify(event);
    if (!seen) return;
    if (seen.kind === 'skip') {
      this.position = Math.max(this.position, seen.offset);
      return;
    }
    const before = this.position;
    let data: unknown;
    if (seen.kind === 'signal') data = seen.signal;
    else {
      const { offset, change } = seen.event;
      if (offset <= before) return;
      // A gap: every member fills it from the store, on its own (each hears this event from the hub).
      if (offset > before + 1) {
        this.disband();
        return;
      }
      this.position = offset;
      data = change;
    }
    const leavers = this.broadcast.write(event, formatEventId(this.source.epoch, this.position), data);
    if (!leavers) return;
    // Back on the hub first, the cohort off it if it is empty, then told: a member cut off stops, and the hub
    // lets the topic go when it was the last.
    for (const { member } of leavers) this.hub.addListener(this.topic, member);
    if (this.broadcast.size === 0) this.close();
    for (const { member, reason } of leavers) {
      // A busy socket was not written to: its member hears this event from the hub, sent its own way.
      if (reason === 'busy') member.leftCohort(before, false);
      else member.leftCohort(this.position, true);
    }
  }

  /** Every member back on the hub at the cohort's position (they hear the event at hand from it). */
  private disband(): void {
    const members = this.broadcast.clear();
    for (const member of members) this.hub.addListener(this.topic, member);
    this.close();
    for (const member of members) member.leftCohort(this.position, false);
  }

  private close(): void {
    this.hub.removeListener(this.topic, this);
    const feed = this.broadcast.feed;
    const byKey = cohorts.get(feed);
    if (byKey?.get(this.key) === this) byKey.delete(this.key);
  }
}
