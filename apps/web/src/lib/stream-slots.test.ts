import type { AppRouter } from '@hubbub/api';
import { createTRPCClient, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { describe, expect, it } from 'vitest';
import { chooseOpen, HTTP1_OPEN_STREAMS, openStreamsFor, streamSlotsLink } from './stream-slots';

describe('how many EventSources a page keeps open', () => {
  it('a few over HTTP/1.1 (6 connections per host, shared by tabs), as many as needed over HTTP/2 and 3', () => {
    expect(openStreamsFor('http/1.1')).toBe(HTTP1_OPEN_STREAMS);
    expect(openStreamsFor(undefined)).toBe(HTTP1_OPEN_STREAMS);
    expect(openStreamsFor('h2')).toBeGreaterThan(100);
    expect(openStreamsFor('h3')).toBeGreaterThan(100);
  });

  it('gives the slots to what is on screen first, then to the first to ask', () => {
    const a = { priority: 0, since: 0 };
    const b = { priority: 0, since: 1 };
    const onScreen = { priority: 1, since: 2 };
    expect(chooseOpen([a, b, onScreen], 2)).toEqual(new Set([onScreen, a]));
    expect(chooseOpen([a, b], 5)).toEqual(new Set([a, b]));
  });
});

describe('streamSlotsLink', () => {
  it('opens at most `max` streams; a waiting one opens, from its last id, when the page moves to it', () => {
    const opened: { channelId: string; lastEventId?: string }[] = [];
    const open = new Set<string>();
    const sse: TRPCLink<AppRouter> =
      () =>
      ({ op }) =>
        observable((observer) => {
          const input = op.input as { channelId: string; lastEventId?: string };
          opened.push(input);
          open.add(input.channelId);
          observer.next({ result: { type: 'started' } });
          observer.next({ result: { id: `e:${input.channelId}`, data: { id: `e:${input.channelId}`, data: {} } } });
          return () => open.delete(input.channelId);
        });
    let onScreen = 'c3';
    let moved = () => {};
    const client = createTRPCClient<AppRouter>({
      links: [
        streamSlotsLink(sse, {
          max: 2,
          priority: (op) => ((op.input as { channelId: string }).channelId === onScreen ? 1 : 0),
          onPriorityChange: (listener) => {
            moved = listener;
          },
        }),
      ],
    });
    const subs = ['c1', 'c2', 'c3'].map((channelId) => client.channel.onEvent.subscribe({ channelId }, {}));
    expect([...open].sort()).toEqual(['c1', 'c3']);

    onScreen = 'c2';
    moved();
    expect([...open].sort()).toEqual(['c1', 'c2']);
    onScreen = 'c3';
    moved();
    // c3 comes back from where it was.
    expect(opened.at(-1)).toEqual({ channelId: 'c3', lastEventId: 'e:c3' });
    subs[0]?.unsubscribe();
    expect([...open].sort()).toEqual(['c2', 'c3']);
    for (const sub of subs) sub.unsubscribe();
    expect(open.size).toBe(0);
  });
});
