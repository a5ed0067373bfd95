import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { senderIdle, sharedFrame, type WsSender } from './frames';
import type { BroadcastFeed, PushSubscription } from './push-subscription';
import { corkForTick, corksThisWrite, pastLimit, type TickWrites } from './tick-batch';

/** A member that left during a write: too far behind after it (`slow`), or not written to at all (`busy`). */
export interface BroadcastLeaver<Member extends PushSubscription = PushSubscription> {
  member: Member;
  reason: 'slow' | 'busy';
}

/**
 * Push subscriptions that take the same frames (one adapter, one head: the same subscription id), written in one
 * loop that reads each member's `ws` (open?), its sender (idle?) and its TCP socket and nothing else, kept in
 * arrays beside the members: near the floor's chain (`ws`, then the TCP socket), where a delivery through each
 * subscription reads its stream and its connection too (at thousands of subscribers each object is a likely cache
 * miss). What the stream behind a member must know (its position, its end) is its owner's to keep: see api's
 * LiveCohort.
 */
export class Broadcast<Member extends PushSubscription = PushSubscription> {
  private readonly members: Member[] = [];
  private readonly sockets: Socket[] = [];
  private readonly senders: WsSender[] = [];
  private readonly wsOf: WebSocket[] = [];
  /** Its writes per tick: a second write in one tick corks the sockets until the tick ends, like a connection's. */
  private readonly ticks: TickWrites = { lastWriteTick: -1, corkedTick: -1 };

  constructor(
    readonly feed: BroadcastFeed,
    readonly head: string,
  ) {}

  get size(): number {
    return this.members.length;
  }

  /** Whether `subscription` can take this broadcast's frames (same adapter and head, uncompressed, announced). */
  fits(subscription: PushSubscription): boolean {
    return (
      subscription.broadcastFeed() === this.feed &&
      subscription.head === this.head &&
      subscription.announced &&
      subscription.socket !== undefined &&
      subscription.sender !== undefined
    );
  }

  add(member: Member): void {
    if (!this.fits(member) || member.broadcastIndex !== -1) throw new Error('this subscription cannot join');
    member.broadcastIndex = this.members.length;
    this.members.push(member);
    this.sockets.push(member.socket as Socket);
    this.senders.push(member.sender as WsSender);
    this.wsOf.push(member.ws);
  }

  remove(member: Member): void {
    const index = member.broadcastIndex;
    if (this.members[index] !== member) return;
    member.broadcastIndex = -1;
    const last = this.members.length - 1;
    if (index !== last) {
      const moved = this.members[last] as Member;
      moved.broadcastIndex = index;
      this.members[index] = moved;
      this.sockets[index] = this.sockets[last] as Socket;
      this.senders[index] = this.senders[last] as WsSender;
      this.wsOf[index] = this.wsOf[last] as WebSocket;
    }
    this.members.pop();
    this.sockets.pop();
    this.senders.pop();
    this.wsOf.pop();
  }

  /** Removes every member; returns them. */
  clear(): Member[] {
    const members = this.members.splice(0);
    for (const member of members) member.broadcastIndex = -1;
    this.sockets.length = 0;
    this.senders.length = 0;
    this.wsOf.length = 0;
    return members;
  }

  /**
   * Writes one tracked event of `shared` (the frame built once) to every member whose socket is open. Returns the
   * members that left, already removed: written to and now past the backlog limit, or not written to because
   * ws's sender is busy (its frame must go behind ws's queue, through the member's own path).
   */
  write(shared: object, eventId: string, data: unknown): BroadcastLeaver<Member>[] | null {
    const frame = sharedFrame(shared, eventId, data, this.feed.serialize, this.head);
    const cork = corksThisWrite(this.ticks, false);
    const { maxBufferedBytes } = this.feed.limits;
    const { sockets, senders, wsOf } = this;
    let leavers: BroadcastLeaver<Member>[] | null = null;
    // Backwards: a member removed here is swapped with the last, which has been written already.
    for (let i = sockets.length - 1; i >= 0; i--) {
      if ((wsOf[i] as WebSocket).readyState !== WebSocket.OPEN) continue;
      if (!senderIdle(senders[i] as WsSender)) {
        leavers ??= [];
        leavers.push({ member: this.members[i] as Member, reason: 'busy' });
        this.remove(this.members[i] as Member);
        continue;
      }
      const socket = sockets[i] as Socket;
      if (cork) corkForTick(socket);
      socket.write(frame);
      if (pastLimit(socket, maxBufferedBytes)) {
        leavers ??= [];
        leavers.push({ member: this.members[i] as Member, reason: 'slow' });
        this.remove(this.members[i] as Member);
      }
    }
    return leavers;
  }
}
