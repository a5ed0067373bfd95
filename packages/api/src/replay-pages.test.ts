import { describe, expect, it } from 'vitest';
import { ChannelStreamSource } from './channel-stream-source';
import { ReplayPages } from './replay-pages';
import { ResumableStream, type StreamSink } from './resumable-stream';
import { createTestApp } from './test/app';
import { recordingSink } from './test/stream-harness';

describe('ReplayPages', () => {
  const page = (offsets: number[]) => Promise.resolve(offsets.map((offset) => ({ offset, change: { offset } })));
  /** A read that counts its calls. */
  function counted<T>(read: () => Promise<T>) {
    const counter = {
      reads: 0,
      read: () => {
        counter.reads++;
        return read();
      },
    };
    return counter;
  }

  it('reads the events after a position up to a head once, for everyone asking within a second', async () => {
    let now = 0;
    const pages = new ReplayPages<{ offset: number }>(() => now);
    const counter = counted(() => page([3, 4]));
    const { read } = counter;
    const first = pages.get('c', 2, 4, 500, read);
    now = 999;
    expect(pages.get('c', 2, 4, 500, read)).toBe(first);
    expect(counter.reads).toBe(1);
    // Another head, position, topic or limit is another page.
    pages.get('c', 2, 5, 500, read);
    pages.get('c', 1, 4, 500, read);
    pages.get('d', 2, 4, 500, read);
    pages.get('c', 2, 4, 1, read);
    expect(counter.reads).toBe(5);
    // After a second it is read again.
    now = 1000;
    expect(pages.get('c', 2, 4, 500, read)).not.toBe(first);
    expect(counter.reads).toBe(6);
  });

  it('does not keep a failed read', async () => {
    const pages = new ReplayPages<{ offset: number }>(() => 0);
    const counter = counted(() => Promise.reject(new Error('the database is down')));
    const failing = counter.read;
    await expect(pages.get('c', 0, 1, 500, failing)).rejects.toThrow('the database is down');
    await expect(pages.get('c', 0, 1, 500, failing)).rejects.toThrow('the database is down');
    expect(counter.reads).toBe(2);
  });

  it('keeps at most 64 pages, letting the oldest go first', async () => {
    const pages = new ReplayPages<{ offset: number }>(() => 0);
    const counter = counted(() => page([1]));
    const { read } = counter;
    for (let after = 0; after < 65; after++) pages.get('c', after, 100, 500, read);
    expect(counter.reads).toBe(65);
    pages.get('c', 64, 100, 500, read);
    expect(counter.reads).toBe(65);
    pages.get('c', 0, 100, 500, read);
    expect(counter.reads).toBe(66);
  });
});

describe('channel streams resuming together', () => {
  it('read the store once and replay the same event objects to every subscriber resuming from one position', async () => {
    const app = await createTestApp();
    try {
      const { user, call } = await app.person('ada');
      const channel = await call.channel.create({ slug: 'storm', name: 'Storm' });
      for (const content of ['m1', 'm2', 'm3']) await call.message.send({ channelId: channel.id, content });
      const { chat } = app.deps.stores;
      const info = await chat.streamInfo(channel.id);
      let reads = 0;
      const eventsAfter = chat.eventsAfter.bind(chat);
      chat.eventsAfter = (...args) => {
        reads++;
        return eventsAfter(...args);
      };
      // Everyone last saw the first message (the head minus two messages).
      const lastEventId = `${info.epoch}:${info.head - 2}`;
      const subscribers = [1, 2, 3].map(() => recordingSink());
      const streams = subscribers.map(() => {
        const source = new ChannelStreamSource(app.deps, channel.id, channel.visibility, user.id);
        const deps = { hub: app.deps.hub, limits: app.deps.limits, connection: null, owner: null };
        return new ResumableStream(deps, source, lastEventId);
      });
      await Promise.all(streams.map((stream, i) => stream.start(subscribers[i]?.sink as StreamSink)));
      expect(reads).toBe(1);
      for (const { sent: got } of subscribers) {
        const messages = got.filter((s) => (s.data as { type: string }).type === 'message.created');
        expect(messages.map((s) => (s.data as { message: { content: string } }).message.content)).toEqual(['m2', 'm3']);
      }
      // The same objects: a socket sink serializes each event once for all three.
      expect(subscribers[1]?.sent[0]?.shared).toBe(subscribers[0]?.sent[0]?.shared);
      expect(subscribers[2]?.sent[1]?.shared).toBe(subscribers[0]?.sent[1]?.shared);
      for (const stream of streams) stream.stop();
    } finally {
      await app.close();
    }
  });
});
