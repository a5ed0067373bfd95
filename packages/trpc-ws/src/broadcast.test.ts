import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Broadcast } from './broadcast';
import { PUSH_STREAM } from './push-stream';
import { type BroadcastFeed, PushSubscription, type SubscriptionConnection } from './push-subscription';
import { corkForTick } from './tick-batch';

/** A subscription of the kind a push stream extends, run on a connection that only carries the socket and feed. */
class Member extends PushSubscription {
  [PUSH_STREAM]() {}
  stop() {}
}

const feed: BroadcastFeed = { serialize: undefined, limits: { maxBufferedBytes: 64 * 1024 } };

let server: WebSocketServer | null = null;
const clients: WebSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

/** `count` open sockets, each a running, announced member (subscription id 1), and what each client receives. */
async function members(count: number) {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  const listening = server;
  await new Promise((resolve) => listening.once('listening', resolve));
  const { port } = listening.address() as AddressInfo;
  const received: string[][] = [];
  const subscribed: Member[] = [];
  for (let i = 0; i < count; i++) {
    const serverSide = new Promise<WebSocket>((resolve) => listening.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    clients.push(client);
    const texts: string[] = [];
    received.push(texts);
    client.on('message', (data: Buffer) => texts.push(data.toString()));
    await new Promise((resolve) => client.once('open', resolve));
    const ws = await serverSide;
    const connection: SubscriptionConnection = { ws, feed, announce() {}, pushEvent: () => 0, finish() {} };
    const member = new Member();
    member.runOn(connection, { id: 1, jsonrpc: undefined, path: 'p', input: undefined });
    member.announced = true;
    subscribed.push(member);
  }
  const arrived = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (received.every((texts) => texts.length >= n) ? resolve() : setTimeout(check, 5));
      check();
    });
  return { subscribed, received, arrived };
}

/** Makes `member`'s socket hold more than the feed's limit that its reader has not taken: client `index` stops reading. */
async function backUp(member: Member, index: number): Promise<void> {
  (clients[index] as unknown as { _socket: Socket })._socket.pause();
  while ((member.socket?.writableLength ?? 0) <= feed.limits.maxBufferedBytes) {
    member.ws.send(Buffer.alloc(256 * 1024));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a broadcast writes one frame to its members', () => {
  it('every member gets the same frame; a removed one gets nothing more, and the rest stay in place', async () => {
    const { subscribed, received, arrived } = await members(4);
    const broadcast = new Broadcast(feed, (subscribed[0] as Member).head);
    for (const member of subscribed) broadcast.add(member);
    expect(broadcast.write({}, 'e:1', { n: 1 })).toBeNull();
    await arrived(1);
    const frame = '{"id":1,"result":{"type":"data","id":"e:1","data":{"id":"e:1","data":{"n":1}}}}';
    for (const texts of received) expect(texts).toEqual([frame]);
    // Removing the first swaps the last into its place.
    broadcast.remove(subscribed[0] as Member);
    expect((subscribed[0] as Member).broadcastIndex).toBe(-1);
    expect((subscribed[3] as Member).broadcastIndex).toBe(0);
    expect(broadcast.size).toBe(3);
    broadcast.write({}, 'e:2', { n: 2 });
    await new Promise<void>((resolve) => {
      const check = () => (received.slice(1).every((t) => t.length === 2) ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(received[0]).toHaveLength(1);
    expect(broadcast.clear()).toHaveLength(3);
    expect(subscribed.every((m) => m.broadcastIndex === -1)).toBe(true);
  });

  it('takes only subscriptions of its feed and head that were announced, once each', async () => {
    const { subscribed } = await members(2);
    const [first, second] = subscribed as [Member, Member];
    expect(new Broadcast(feed, '{"id":2').fits(first)).toBe(false);
    expect(new Broadcast({ ...feed }, first.head).fits(first)).toBe(false);
    second.announced = false;
    const broadcast = new Broadcast(feed, first.head);
    expect(broadcast.fits(second)).toBe(false);
    broadcast.add(first);
    expect(() => broadcast.add(first)).toThrow();
  });

  it('hands back, removed, a member whose sender is busy (not written) and one past the backlog limit (written)', async () => {
    const { subscribed, received } = await members(3);
    const [busy, slow, fine] = subscribed as [Member, Member, Member];
    const broadcast = new Broadcast(feed, fine.head);
    for (const member of subscribed) broadcast.add(member);
    await backUp(slow, 1);
    // A Blob is read asynchronously: ws's sender is busy until then.
    busy.ws.send(new Blob(['blob']));
    const leavers = broadcast.write({}, 'e:1', { n: 1 });
    expect(leavers?.map(({ member, reason }) => [subscribed.indexOf(member as Member), reason]).sort()).toEqual([
      [0, 'busy'],
      [1, 'slow'],
    ]);
    expect(broadcast.size).toBe(1);
    expect(fine.broadcastIndex).toBe(0);
    await new Promise<void>((resolve) => {
      const check = () => ((received[2] as string[]).length === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    // The busy member's socket got ws's frame only, never the broadcast's.
    expect(received[0]).toEqual(['blob']);
  });

  it('keeps a member whose frames of one tick pass the limit only because they wait for the tick to end', async () => {
    const { subscribed, received, arrived } = await members(2);
    const broadcast = new Broadcast(feed, (subscribed[0] as Member).head);
    for (const member of subscribed) broadcast.add(member);
    // 24 events of 8 KiB in one tick: from the second, the sockets are corked until the tick ends (192 KiB each);
    // the first member's connection corked its socket for this tick too (an answer went out before).
    corkForTick((subscribed[0] as Member).socket as Socket);
    const text = 'y'.repeat(8 * 1024);
    for (let n = 1; n <= 24; n++) expect(broadcast.write({}, `e:${n}`, { n, text })).toBeNull();
    expect(broadcast.size).toBe(2);
    await arrived(24);
    for (const texts of received)
      expect(texts.map((frame) => JSON.parse(frame).result.data.data.n)).toEqual(
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
  });

  it("skips a member whose socket is closing (it stops when the socket's close comes)", async () => {
    const { subscribed, received } = await members(2);
    const [closing, open] = subscribed as [Member, Member];
    const broadcast = new Broadcast(feed, open.head);
    for (const member of subscribed) broadcast.add(member);
    closing.ws.close(1000, 'bye');
    expect(broadcast.write({}, 'e:1', { n: 1 })).toBeNull();
    await new Promise<void>((resolve) => {
      const check = () => ((received[1] as string[]).length === 1 ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(received[0]).toEqual([]);
    expect(broadcast.size).toBe(2);
  });
});
